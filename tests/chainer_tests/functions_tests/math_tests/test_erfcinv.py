import math
import unittest

import numpy
import pytest
from scipy import special

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.math_tests import _unary_data
from tests.chainer_tests.functions_tests._bitwise import first_derivative, inputs


_make_data = _unary_data.uniform_input(0.1, 1.9)


@testing.unary_math_function_unittest(
    F.erfcinv, func_expected=lambda x, dtype: special.erfcinv(x).astype(dtype),
    make_data=_make_data,
    # float16's default step (2 ** -4) is too coarse for this curvature; the
    # numeric gradient is taken in float64 anyway.
    backward_options={'eps': 1e-4}, double_backward_options={'eps': 1e-4},
    label_expected='erfcinv')
class TestErfcinv(unittest.TestCase):
    pass



@pytest.mark.parametrize('func', [F.erfcinv])
def test_zero_size(func):
    x = chainer.Variable(numpy.full((2, 0, 3), 0.5, numpy.float32))
    y = func(x)
    assert y.shape == (2, 0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize('func', [F.erfcinv])
@pytest.mark.parametrize('dtype', [numpy.int32, numpy.bool_])
def test_non_float_input(func, dtype):
    with pytest.raises(type_check.InvalidType):
        func(numpy.ones((2, 3), dtype))


@pytest.mark.parametrize('func', [F.erfcinv])
def test_zero_d_stays_array(func):
    y = func(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert y.dtype == numpy.float32


@pytest.mark.parametrize('seed', [0, 1])
def test_gradient_bitwise_as_chainer(seed):
    # Chainer's form: -sqrt(pi) / 2 * exp(y ** 2) * gy
    x, gy = inputs(seed, 0.1, 1.9)
    y, gx = first_derivative(F.erfcinv, x, gy)
    expected = numpy.float32(-(math.pi ** 0.5 / 2)) * numpy.exp(y ** 2) * gy
    assert numpy.array_equal(gx, expected)
