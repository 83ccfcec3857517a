"""InvalidType messages of the activation functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# rrelu unnamed (its ``r`` a constant), relu named ``x``
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.rrelu(i(2, 3)),
     'RReLU', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.rrelu(z(2, 3), r=z(2, 3, dtype=numpy.float64)),
     'RReLU', 'in_types[0].dtype == float64', 'float32 != float64'),
    (lambda: F.rrelu(z(2, 3), r=z(2, 2)),
     'RReLU', 'in_types[0].shape == (2, 2)', '(2, 3) != (2, 2)'),
    (lambda: F.relu(i(2)),
     'ReLU', 'x.dtype.kind == f', 'i != f'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)
