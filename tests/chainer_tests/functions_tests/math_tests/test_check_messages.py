"""InvalidType messages of the math functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import pytest

import chainer.functions as F
from chainer.functions.math.basic_math import AddConstant, MulConstant, Neg, SubFromConstant
from chainer.utils import type_check
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# unary special functions and reductions Chainer checked unnamed (``in_types[0]``), the
# binary ones with their argument names, einsum's operands as ``x0``, ``x1`` ...
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.exp(i(2)),
     'exp', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.ndtr(i(2)),
     'ndtr', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.ndtri(i(2)),
     'ndtri', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.log_ndtr(i(2)),
     'log_ndtr', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.erfcx(i(2)),
     'erfcx', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.erfcinv(i(2)),
     'erfcinv', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.log(i(2)),
     'log', 'x.dtype.kind == f', 'i != f'),
    (lambda: F.argmax(i(2, 3)),
     'ArgMax', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.argmin(z(3), axis=1),
     'ArgMin', 'in_types[0].ndim > 1', '1 <= 1'),
    (lambda: F.fmod(i(2), z(2)),
     'fmod', 'x.dtype == divisor.dtype', 'int32 != float32'),
    (lambda: F.linear_interpolate(z(2), z(2), z(3)),
     'LinearInterpolate', 'p.shape == y.shape', '(2,) != (3,)'),
    (lambda: F.einsum('ij,jk->ik', z(2, 3), i(3, 2)),
     'EinSum', 'x1.dtype.kind == f', 'i != f'),
    (lambda: F.einsum('ij,jk->ik', z(2, 3), z(4, 2)),
     'EinSum', 'x0.shape[1] == x1.shape[0]', '3 != 4'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


@pytest.mark.parametrize('f', [
    lambda: F.fmod(z(2), z(3)),
    lambda: F.arctan2(z(2), z(3)),
    lambda: F.polygamma(i(2), z(3)),
])
def test_unbroadcastable_inputs_are_numpys_value_error(f):
    # Chainer had no check: NumPy raised a ValueError
    with pytest.raises(ValueError) as e:
        f()
    assert isinstance(e.value, type_check.InvalidType)
    assert str(e.value).startswith('cannot broadcast inputs of the following shapes:')


@pytest.mark.parametrize('node', [
    lambda: Neg(), lambda: AddConstant(1.0), lambda: SubFromConstant(1.0),
    lambda: MulConstant(2.0),
])
def test_operators_of_one_input_refuse_two(node):
    with pytest.raises(type_check.InvalidType, match='^Invalid number of arguments$'):
        node().apply((z(2), z(2)))
