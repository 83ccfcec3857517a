"""The buffers that averaged gradients live in: reuse, lifetime, layouts, mismatches."""
import pytest

from tests.chainermn_tests import _launch


@pytest.mark.parametrize('n', [1, 2, 3])
def test_grad_buffers(n):
    out = _launch.check('grad_buffers.py', n)
    assert f'gradient buffers ok on {n} ranks' in out
