import unittest

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.math_tests import _unary_data


_make_data = _unary_data.uniform_input(0.5, 2)


@testing.unary_math_function_unittest(
    F.sqrt, func_expected=None, make_data=_make_data,
    label_expected='sqrt')
class TestSqrt(unittest.TestCase):
    pass


@testing.unary_math_function_unittest(
    F.rsqrt, func_expected=lambda x, dtype: (1 / numpy.sqrt(x)).astype(dtype), make_data=_make_data)
class TestRsqrt(unittest.TestCase):
    pass



@pytest.mark.parametrize('func', [F.sqrt, F.rsqrt])
def test_zero_size(func):
    x = chainer.Variable(numpy.full((2, 0, 3), 0.5, numpy.float32))
    y = func(x)
    assert y.shape == (2, 0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 0, 3)


@pytest.mark.parametrize('func', [F.sqrt, F.rsqrt])
@pytest.mark.parametrize('dtype', [numpy.int32, numpy.bool_])
def test_non_float_input(func, dtype):
    with pytest.raises(type_check.InvalidType):
        func(numpy.ones((2, 3), dtype))


@pytest.mark.parametrize('func', [F.sqrt, F.rsqrt])
def test_zero_d_stays_array(func):
    y = func(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert y.dtype == numpy.float32


def test_rsqrt_value():
    x = numpy.array([4.0, 0.25], numpy.float32)
    y = F.rsqrt(x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, [0.5, 2.0])
