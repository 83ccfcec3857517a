import numpy
import pytest

import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing
from chainer.utils import type_check


def _maxout(x, W, b, out_size, pool_size):
    # W: (out_size, pool_size, in_size), b: (out_size, pool_size)
    y = numpy.einsum('opi,bi->bop', W, x)
    if b is not None:
        y = y + b
    return y.max(axis=2)


class TestMaxoutLink:

    def test_structure(self):
        link = L.Maxout(3, 2, 4)
        assert link.linear.W.shape == (8, 3)
        assert link.linear.b.shape == (8,)
        assert link.out_size == 2 and link.pool_size == 4
        numpy.testing.assert_array_equal(link.linear.b.array, numpy.zeros(8, 'f'))

    def test_forward_with_arrays(self):
        W = numpy.random.randn(2, 4, 3).astype('f')
        b = numpy.random.randn(2, 4).astype('f')
        link = L.Maxout(3, 2, 4, initialW=W, initial_bias=b)
        x = numpy.random.randn(5, 3).astype('f')
        numpy.testing.assert_allclose(
            link(x).array, _maxout(x, W, b, 2, 4), rtol=1e-5, atol=1e-6)

    def test_no_bias(self):
        link = L.Maxout(3, 2, 4, initial_bias=None)
        assert link.linear.b is None
        x = numpy.random.randn(5, 3).astype('f')
        W = link.linear.W.array.reshape(2, 4, 3)
        numpy.testing.assert_allclose(
            link(x).array, _maxout(x, W, None, 2, 4), rtol=1e-5, atol=1e-6)

    def test_callable_initializer_sees_maxout_shape(self):
        shapes = []

        def init(array):
            shapes.append(array.shape)
            array[...] = numpy.arange(array.size).reshape(array.shape)

        link = L.Maxout(3, 2, 4, initialW=init, initial_bias=init)
        assert shapes == [(2, 4, 3), (2, 4)]
        numpy.testing.assert_array_equal(
            link.linear.W.array, numpy.arange(24, dtype='f').reshape(8, 3))

    def test_initializer_object(self):
        link = L.Maxout(3, 2, 4, initialW=initializers.One(), initial_bias=2)
        assert (link.linear.W.array == 1).all() and (link.linear.b.array == 2).all()

    def test_backward(self):
        numpy.random.seed(1)
        link = L.Maxout(3, 2, 4)
        x = numpy.random.randn(5, 3)
        W = numpy.random.randn(8, 3)
        b = numpy.random.randn(8)

        def f(x, W, b):
            with link.linear.init_scope():
                link.linear.W, link.linear.b = W, b
            return link(x)

        gradient_check.check_backward(f, (x, W, b), numpy.random.randn(5, 2),
                                      atol=1e-4, rtol=1e-4)

    def test_bad_initial_arrays(self):
        with pytest.raises(ValueError):
            L.Maxout(3, 2, 4, initialW=numpy.zeros((8, 3), 'f'))
        with pytest.raises(ValueError):
            L.Maxout(3, 2, 4, initialW=numpy.zeros((2, 4, 5), 'f'))
        with pytest.raises(ValueError):
            L.Maxout(3, 2, 4, initial_bias=numpy.zeros(8, 'f'))
        with pytest.raises((TypeError, ValueError)):
            L.Maxout(3, 2, 4, initialW='bad')
        with pytest.raises(TypeError):
            L.Maxout(3, 2, 4, initialW=object())

    def test_bad_input(self):
        with pytest.raises(type_check.InvalidType):
            L.Maxout(3, 2, 4)(numpy.ones((5, 4), 'f'))

    def test_save_load(self):
        src, dst = L.Maxout(3, 2, 4), L.Maxout(3, 2, 4)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.linear.W.array, src.linear.W.array)
