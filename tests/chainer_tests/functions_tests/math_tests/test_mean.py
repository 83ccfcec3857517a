"""Tests of F.mean (the same function as F.average)."""
import numpy
import pytest

import chainer.functions as F
from chainer import gradient_check
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@pytest.mark.parametrize('axis,keepdims', [(None, False), (1, True), ((0, 2), False)])
def test_mean_matches_numpy(axis, keepdims):
    x = numpy.random.uniform(-1, 1, (2, 3, 4)).astype(numpy.float32)
    y = F.mean(x, axis=axis, keepdims=keepdims)
    numpy.testing.assert_allclose(y.array, numpy.mean(x, axis=axis, keepdims=keepdims),
                                  rtol=1e-5, atol=1e-6)
    assert y.dtype == numpy.float32
    gy = numpy.asarray(numpy.random.randn(*y.shape))
    gradient_check.check_backward(
        lambda a: F.mean(a, axis=axis, keepdims=keepdims), x.astype(numpy.float64), gy)


def test_mean_weighted():
    x = numpy.random.uniform(-1, 1, (2, 3))
    w = numpy.random.uniform(0.5, 1, (3,))
    y = F.mean(x, axis=1, weights=w)
    numpy.testing.assert_allclose(y.array, numpy.average(x, axis=1, weights=w))


def test_mean_bad_axis():
    with pytest.raises(Exception):
        F.mean(numpy.ones((2, 3), numpy.float32), axis=3)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_mean_of_long_runs_in_numpy1_order(dtype):
    # NumPy 1's mean: its sum, divided in the dtype (an array) or in float64 (a
    # scalar, then rounded)
    x = long_values((7, 10000), dtype)
    rows = numpy1_sum(x, -1) / dtype(10000)
    numpy.testing.assert_array_equal(F.mean(x, axis=1).array, rows)
    numpy.testing.assert_array_equal(F.average(x, axis=1).array, rows)
    numpy.testing.assert_array_equal(F.mean(x).array,
                                     dtype(numpy.float64(numpy1_sum(x)) / x.size))
