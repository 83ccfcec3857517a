"""InvalidType messages of the activation functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
from chainer.utils import type_check


def z(*s, dtype=numpy.float32):
    return numpy.zeros(s, dtype)


def i(*s):
    return numpy.zeros(s, numpy.int32)


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
    with pytest.raises(type_check.InvalidType) as e:
        f()
    assert str(e.value) == (f'\nInvalid operation is performed in: {label} (Forward)\n\n'
                            f'Expect: {expect}\nActual: {actual}')
