import numpy
import pytest

import chainer
from chainer import testing


def test_equal_and_within_tolerance():
    x = numpy.array([1.0, 2.0, 3.0], dtype=numpy.float32)
    testing.assert_allclose(x, x.copy())
    testing.assert_allclose(x, x + 1e-6)
    testing.assert_allclose(x, x + 0.05, atol=0.1, rtol=0)


def test_variables_and_scalars():
    x = numpy.array([1.0, 2.0], dtype=numpy.float32)
    testing.assert_allclose(chainer.Variable(x), x)
    testing.assert_allclose(x, chainer.Variable(x.copy()))
    testing.assert_allclose(numpy.float32(1.0), 1.0)
    testing.assert_allclose(numpy.array(2.0), numpy.full((2, 2), 2.0))


def test_failure_message():
    x = numpy.array([[1.0, 2.0], [3.0, 4.0]])
    y = x.copy()
    y[1, 0] = 3.5
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(x, y)
    msg = str(info.value)
    assert '\n\nassert_allclose failed:\n  shape: (2, 2) (2, 2)\n' in msg
    assert '  shape: (2, 2) (2, 2)' in msg
    assert '  dtype: float64 float64' in msg
    assert '  i: (1, 0)' in msg
    assert '  x[i]: 3.0' in msg
    assert '  y[i]: 3.5' in msg
    assert '  absolute error[i]: 0.5' in msg
    assert '\nx: [[1. 2.]\n    [3. 4.]]' in msg
    assert '\ny: [[1.  2. ]\n    [3.5 4. ]]' in msg


def test_shape_mismatch():
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(numpy.zeros((2, 3)), numpy.zeros((3, 2)))
    assert '  shape: (2, 3) (3, 2)' in str(info.value)


def test_nan_and_mixed_dtypes():
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(numpy.array([1.0, numpy.nan]), numpy.array([1.0, 2.0]))
    assert '  i: (1,)' in str(info.value)
    with pytest.raises(AssertionError):
        testing.assert_allclose(numpy.array([True, False]), numpy.array([1, 1]))
    testing.assert_allclose(numpy.array([1 + 1j]), numpy.array([1 + 1j]))
    with pytest.raises(AssertionError):
        testing.assert_allclose(numpy.array([1 + 1j]), numpy.array([1 - 1j]))
