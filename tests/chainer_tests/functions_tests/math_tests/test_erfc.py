import unittest

import numpy
import pytest
from scipy import special

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests._bitwise import first_derivative, inputs


@testing.unary_math_function_unittest(
    F.erfc, func_expected=lambda x, dtype: special.erfc(x).astype(dtype),
    label_expected='erfc')
class TestErfc(unittest.TestCase):
    pass



@pytest.mark.parametrize('func', [F.erfc])
def test_zero_size(func):
    x = chainer.Variable(numpy.full((2, 0, 3), 0.5, numpy.float32))
    y = func(x)
    assert y.shape == (2, 0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize('func', [F.erfc])
@pytest.mark.parametrize('dtype', [numpy.int32, numpy.bool_])
def test_non_float_input(func, dtype):
    with pytest.raises(type_check.InvalidType):
        func(numpy.ones((2, 3), dtype))


@pytest.mark.parametrize('func', [F.erfc])
def test_zero_d_stays_array(func):
    y = func(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert y.dtype == numpy.float32


@pytest.mark.parametrize('seed', [0, 1])
def test_gradient_bitwise_as_chainer(seed):
    # Chainer's form: -2 / pi ** 0.5 * exp(-x ** 2) * gy
    x, gy = inputs(seed, -2, 2)
    y, gx = first_derivative(F.erfc, x, gy)
    expected = numpy.float32(-2 / numpy.pi ** 0.5) * numpy.exp(-x ** 2) * gy
    assert numpy.array_equal(gx, expected)
