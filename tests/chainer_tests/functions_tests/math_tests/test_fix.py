import numpy
import pytest

import chainer
import chainer.functions as F


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(3, 4), (), (0, 2)])
def test_forward(dtype, shape):
    x = numpy.random.uniform(-5, 5, shape).astype(dtype)
    for arg in (x, chainer.Variable(x)):
        y = F.fix(arg)
        assert isinstance(y, chainer.Variable)
        assert isinstance(y.array, numpy.ndarray) and y.shape == shape
        assert y.dtype == dtype
        numpy.testing.assert_array_equal(y.array, numpy.fix(x))


def test_rounds_toward_zero():
    x = numpy.array([-1.5, -0.5, 0.5, 1.5, 2.0], numpy.float32)
    numpy.testing.assert_array_equal(F.fix(x).array, [-1, 0, 0, 1, 2])


def test_not_differentiable():
    x = chainer.Variable(numpy.array([1.5, -0.5], numpy.float32))
    y = F.fix(x)
    assert not y.requires_grad
    assert y.creator is None
    z = F.sum(x * 2 + y)
    z.backward()
    numpy.testing.assert_array_equal(x.grad, [2, 2])


@pytest.mark.parametrize('bad', [1.5, [1.0, 2.0], None])
def test_bad_input(bad):
    with pytest.raises(TypeError):
        F.fix(bad)
