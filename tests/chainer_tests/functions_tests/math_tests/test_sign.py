import numpy
import pytest

import chainer
import chainer.functions as F


@pytest.mark.parametrize('x,dtype,expected', [(3, numpy.int64, 1), (-2.5, numpy.float64, -1.0),
                                              (0, numpy.int64, 0)])
def test_sign_of_a_python_number(x, dtype, expected):
    # Chainer's sign took Python numbers as 0-d arrays
    y = F.sign(x)
    assert isinstance(y, chainer.Variable)
    assert y.dtype == dtype and y.shape == ()
    assert y.array == expected
    assert not y.requires_grad


def test_sign_of_a_numpy_scalar():
    y = F.sign(numpy.int8(-3))
    assert y.dtype == numpy.int8 and y.array == -1


@pytest.mark.parametrize('x', [[-2, 0, 3], (1.5, -0.5)])
def test_sign_of_a_list_or_tuple(x):
    # Chainer's sign took them as arrays, in NumPy's dtype for them
    y = F.sign(x)
    expected = numpy.sign(numpy.asarray(x))
    assert y.dtype == expected.dtype
    numpy.testing.assert_array_equal(y.array, expected)
