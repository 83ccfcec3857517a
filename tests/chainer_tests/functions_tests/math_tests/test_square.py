import unittest

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.unary_math_function_unittest(
    F.square, func_expected=None,
    label_expected='square')
class TestSquare(unittest.TestCase):
    pass



@pytest.mark.parametrize('func', [F.square])
def test_zero_size(func):
    x = chainer.Variable(numpy.full((2, 0, 3), 0.5, numpy.float32))
    y = func(x)
    assert y.shape == (2, 0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize('func', [F.square])
@pytest.mark.parametrize('dtype', [numpy.int32, numpy.bool_])
def test_non_float_input(func, dtype):
    with pytest.raises(type_check.InvalidType):
        func(numpy.ones((2, 3), dtype))


@pytest.mark.parametrize('func', [F.square])
def test_zero_d_stays_array(func):
    y = func(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert y.dtype == numpy.float32


def test_square_gradient_multiplies_gy_by_two_first():
    # (gy * 2) * x, Chainer's order: finite here in float16, where gy * (2 * x) is inf.
    x = chainer.Variable(numpy.array([65504.0], numpy.float16))
    gx, = chainer.grad([chainer.functions.square(x)], [x], [numpy.array([0.25], numpy.float16)])
    assert gx.array[0] == numpy.float16(32752)
