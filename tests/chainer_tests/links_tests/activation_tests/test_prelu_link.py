import numpy
import pytest

import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing


def _dodge_zero(shape):
    x = numpy.random.uniform(-1, 1, shape)
    x[numpy.abs(x) < 0.05] = 0.5
    return x


@testing.parameterize(
    {'shape': (), 'x_shape': (4, 3)},
    {'shape': (3,), 'x_shape': (4, 3, 2)},
    {'shape': (3, 2), 'x_shape': (4, 3, 2)},
)
class TestPReLULink:

    def test_default(self):
        link = L.PReLU(self.shape)
        assert link.W.shape == self.shape
        numpy.testing.assert_array_equal(link.W.array, numpy.full(self.shape, 0.25, 'f'))

    def test_forward(self):
        link = L.PReLU(self.shape)
        link.W.array[...] = numpy.random.uniform(0.1, 0.9, self.shape)
        x = _dodge_zero(self.x_shape).astype('f')
        W = link.W.array.reshape(self.shape + (1,) * (len(self.x_shape) - 1 - len(self.shape)))
        expected = numpy.where(x >= 0, x, W * x)
        numpy.testing.assert_allclose(link(x).array, expected, rtol=1e-6)

    def test_backward(self):
        link = L.PReLU(self.shape)
        x = _dodge_zero(self.x_shape)
        W = numpy.random.uniform(0.1, 0.9, self.shape)

        def f(x, W):
            with link.init_scope():
                link.W = W
            return link(x)

        gradient_check.check_backward(f, (x, W), numpy.random.randn(*self.x_shape))


class TestPReLUMisc:

    def test_init(self):
        link = L.PReLU(3, init=0.5)
        numpy.testing.assert_array_equal(link.W.array, numpy.full(3, 0.5, 'f'))
        link = L.PReLU((2,), init=initializers.Constant(0.1, numpy.float64))
        assert link.W.dtype == numpy.float64

    def test_str(self):
        assert str(L.PReLU()) == 'PReLU()'

    def test_bad_shape(self):
        link = L.PReLU((5,))
        with pytest.raises(Exception) as e:
            link(numpy.ones((4, 3), 'f'))
        assert not isinstance(e.value, AssertionError) or 'Invalid' in str(e.value)

    def test_save_load(self):
        src, dst = L.PReLU((3,), init=0.7), L.PReLU((3,))
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)
