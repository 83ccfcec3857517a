"""Collectives, object methods, model helpers and communication functions on 1-3 ranks."""
import pytest

from tests.chainermn_tests import _launch


@pytest.mark.parametrize('n', [1, 2, 3])
def test_collectives(n):
    out = _launch.check('collectives.py', n)
    assert f'collectives ok on {n} ranks' in out
