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


_make_data = _unary_data.uniform_input(-0.9, 0.9)


@testing.unary_math_function_unittest(
    F.erfinv, func_expected=lambda x, dtype: special.erfinv(x).astype(dtype),
    make_data=_make_data,
    # float16's default step (2 ** -4) is too coarse for this curvature; the
    # numeric gradient is taken in float64 anyway.
    backward_options={'eps': 1e-4}, double_backward_options={'eps': 1e-4},
    label_expected='erfinv')
class TestErfinv(unittest.TestCase):
    pass



@pytest.mark.parametrize('func', [F.erfinv])
def test_zero_size(func):
    x = chainer.Variable(numpy.full((2, 0, 3), 0.5, numpy.float32))
    y = func(x)
    assert y.shape == (2, 0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize('func', [F.erfinv])
@pytest.mark.parametrize('dtype', [numpy.int32, numpy.bool_])
def test_non_float_input(func, dtype):
    with pytest.raises(type_check.InvalidType):
        func(numpy.ones((2, 3), dtype))


@pytest.mark.parametrize('func', [F.erfinv])
def test_zero_d_stays_array(func):
    y = func(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert y.dtype == numpy.float32


@pytest.mark.parametrize('seed', [0, 1])
def test_gradient_bitwise_as_chainer(seed):
    # Chainer's form: sqrt(pi) / 2 * exp(y ** 2) * gy
    x, gy = inputs(seed, -0.9, 0.9)
    y, gx = first_derivative(F.erfinv, x, gy)
    expected = numpy.float32(math.pi ** 0.5 / 2) * numpy.exp(y ** 2) * gy
    assert numpy.array_equal(gx, expected)


@pytest.mark.parametrize('dtype, expected', [
    (numpy.float32, [0.40389397740364075, 1.3258036375045776, 0.12226378172636032,
                     -0.6148921251296997, 0.4769362807273865]),
    (numpy.float16, [0.40380859375, 1.32421875, 0.122314453125, -0.61474609375,
                     0.47705078125]),
])
def test_float32_rounds_the_float64_value_as_chainer(dtype, expected):
    # Chainer 7.8.1's SciPy computed erfinv of float32 (and float16) in float64;
    # SciPy 1.17's float32 loop is an ulp off for these
    x = numpy.array([0.43213072419166565, 0.9392030835151672, 0.1372755467891693,
                     -0.6154748201370239, 0.5], numpy.float32).astype(dtype)
    y = F.erfinv(x)
    assert y.dtype == dtype
    numpy.testing.assert_array_equal(y.array, numpy.array(expected, dtype))
    y0 = F.erfinv(numpy.array(0.5, dtype))
    assert y0.shape == () and y0.array == numpy.array(expected[4], dtype)
