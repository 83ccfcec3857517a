"""Data- and model-parallel equivalence, datasets, iterators, links and extensions."""
import pytest

from tests.chainermn_tests import _launch


@pytest.mark.parametrize('n', [1, 2, 3])
def test_training(n):
    out = _launch.check('training.py', n)
    assert f'training ok on {n} ranks' in out
