import unittest

import numpy
import pytest
from scipy import special

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.math_tests import _unary_data


_make_data = _unary_data.uniform_input(-5, 3)


@testing.unary_math_function_unittest(
    F.log_ndtr, func_expected=lambda x, dtype: special.log_ndtr(x).astype(dtype),
    make_data=_make_data,
    label_expected='log_ndtr')
class TestLogndtr(unittest.TestCase):
    pass



@pytest.mark.parametrize('func', [F.log_ndtr])
def test_zero_size(func):
    x = chainer.Variable(numpy.full((2, 0, 3), 0.5, numpy.float32))
    y = func(x)
    assert y.shape == (2, 0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize('func', [F.log_ndtr])
@pytest.mark.parametrize('dtype', [numpy.int32, numpy.bool_])
def test_non_float_input(func, dtype):
    with pytest.raises(type_check.InvalidType):
        func(numpy.ones((2, 3), dtype))


@pytest.mark.parametrize('func', [F.log_ndtr])
def test_zero_d_stays_array(func):
    y = func(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert y.dtype == numpy.float32


def test_gradient_far_in_lower_tail():
    # Both the density and ndtr underflow in float64 here; the ratio must not.
    x = chainer.Variable(numpy.array([-40.0, -300.0], numpy.float64))
    y = F.log_ndtr(x)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    # d/dx log ndtr(x) ~ -x for x -> -inf
    numpy.testing.assert_allclose(x.grad, -x.array, rtol=1e-3)
    assert numpy.all(numpy.isfinite(y.array))


def test_float16_gradient_far_in_the_lower_tail_does_not_overflow():
    # The gradient ~ -x fits float16 at x = -60000; gy / erfcx(...) did not.
    x = chainer.Variable(numpy.array([-60000., -300.], numpy.float16))
    with numpy.errstate(over='ignore'):  # the loss itself is -inf in float16
        y = F.log_ndtr(x)
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.ones(2, numpy.float16))])
    assert gx.dtype == numpy.float16
    numpy.testing.assert_allclose(gx.array, [60000., 300.], rtol=2e-3)
