import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.math.sign import sign


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(3, 4), (), (0, 2)])
def test_forward(dtype, shape):
    x = numpy.random.uniform(-5, 5, shape).astype(dtype)
    for arg in (x, chainer.Variable(x)):
        y = sign(arg)
        assert isinstance(y, chainer.Variable)
        assert isinstance(y.array, numpy.ndarray) and y.shape == shape
        assert y.dtype == dtype
        numpy.testing.assert_array_equal(y.array, numpy.sign(x))


def test_not_differentiable():
    x = chainer.Variable(numpy.array([1.5, -0.5], numpy.float32))
    y = sign(x)
    assert not y.requires_grad
    assert y.creator is None
    z = F.sum(x * 2 + y)
    z.backward()
    numpy.testing.assert_array_equal(x.grad, [2, 2])


def test_exported():
    assert F.sign is sign


def test_integer_input_keeps_dtype():
    x = numpy.array([-2, 0, 3], numpy.int32)
    y = sign(x)
    assert y.dtype == numpy.int32
    numpy.testing.assert_array_equal(y.array, numpy.sign(x).astype(numpy.int32))


@pytest.mark.parametrize('bad', [1.5, [1.0, 2.0], None, chainer.Variable()])
def test_bad_input(bad):
    with pytest.raises(TypeError):
        sign(bad)
