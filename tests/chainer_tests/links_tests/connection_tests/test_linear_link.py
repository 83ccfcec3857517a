import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'nobias': [False, True],
}))
@testing.inject_backend_tests(None, _backends)
class TestLinearLink(testing.LinkTestCase):

    def setUp(self):
        self.param_names = ('W',) if self.nobias else ('W', 'b')
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-3}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-4, 'rtol': 1e-4}

    def generate_params(self):
        W = numpy.random.uniform(-1, 1, (2, 3)).astype(self.dtype)
        if self.nobias:
            return W,
        return W, numpy.random.uniform(-1, 1, (2,)).astype(self.dtype)

    def create_link(self, inits):
        # The dtype is given explicitly: a bare array initializer follows
        # chainer.config.dtype.
        inits = [initializers.Constant(a, self.dtype) for a in inits]
        if self.nobias:
            return L.Linear(3, 2, nobias=True, initialW=inits[0])
        return L.Linear(3, 2, initialW=inits[0], initial_bias=inits[1])

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (4, 3)).astype(self.dtype),

    def forward_expected(self, link, inputs):
        x, = inputs
        y = x.dot(link.W.array.T)
        if not self.nobias:
            y = y + link.b.array
        return y.astype(self.dtype),


class TestLinearConstruction:

    def test_shapes_and_defaults(self):
        link = L.Linear(3, 2)
        assert link.W.shape == (2, 3)
        assert link.W.dtype == numpy.float32
        assert link.b.shape == (2,)
        numpy.testing.assert_array_equal(link.b.array, numpy.zeros(2, numpy.float32))
        assert link.in_size == 3 and link.out_size == 2
        assert isinstance(link.W.initializer, initializers.LeCunNormal)

    def test_nobias(self):
        link = L.Linear(3, 2, nobias=True)
        assert link.b is None
        assert [name for name, _ in link.namedparams()] == ['/W']

    def test_scalar_initializers(self):
        link = L.Linear(3, 2, initialW=0.5, initial_bias=2)
        numpy.testing.assert_array_equal(link.W.array, numpy.full((2, 3), 0.5, 'f'))
        numpy.testing.assert_array_equal(link.b.array, numpy.full((2,), 2, 'f'))

    def test_initializer_dtype(self):
        link = L.Linear(3, 2, initialW=initializers.Normal(1, numpy.float64),
                        initial_bias=initializers.Constant(1, numpy.float64))
        assert link.W.dtype == numpy.float64
        assert link.b.dtype == numpy.float64

    def test_printable_specs(self):
        assert str(L.Linear(3, 2)) == 'Linear(in_size=3, out_size=2, nobias=False)'
        assert str(L.Linear(2, nobias=True)) == 'Linear(in_size=None, out_size=2, nobias=True)'
        assert list(L.Linear(3, 2).printable_specs) == [
            ('in_size', 3), ('out_size', 2), ('nobias', False)]

    def test_chain_str(self):
        chain = chainer.Sequential(L.Linear(3, 2), L.Linear(2, 1))
        assert 'Linear(in_size=3, out_size=2, nobias=False)' in str(chain)

    def test_from_params(self):
        W = numpy.random.randn(2, 3).astype('f')
        b = numpy.random.randn(2).astype('f')
        link = L.Linear.from_params(chainer.Variable(W), b)
        numpy.testing.assert_array_equal(link.W.array, W)
        numpy.testing.assert_array_equal(link.b.array, b)
        assert link.W.array is not W
        link = L.Linear.from_params(W, nobias=True)
        assert link.b is None
        link = L.Linear.from_params(W)
        numpy.testing.assert_array_equal(link.b.array, numpy.zeros(2, 'f'))

    def test_from_params_bad_bias(self):
        W = numpy.zeros((2, 3), 'f')
        with pytest.raises(ValueError):
            L.Linear.from_params(W, numpy.zeros(3, 'f'))

    def test_from_params_nobias_ignores_bias(self):
        # Chainer documents that nobias drops a given ``b`` instead of refusing it.
        link = L.Linear.from_params(numpy.ones((2, 3), 'f'), numpy.ones(2, 'f'), nobias=True)
        assert link.b is None


class TestLinearLazy:

    @pytest.mark.parametrize('args', [(2,), (None, 2)])
    def test_lazy_init(self, args):
        link = L.Linear(*args)
        assert link.W.array is None
        assert link.b.shape == (2,)
        x = numpy.random.randn(4, 3).astype('f')
        y = link(x)
        assert link.W.shape == (2, 3)
        numpy.testing.assert_allclose(
            y.array, x.dot(link.W.array.T) + link.b.array, rtol=1e-6)
        # Chainer leaves in_size as given.
        assert link.in_size is None

    def test_lazy_init_flattens(self):
        link = L.Linear(5)
        x = numpy.random.randn(4, 3, 2).astype('f')
        assert link(x).shape == (4, 5)
        assert link.W.shape == (5, 6)

    def test_lazy_init_n_batch_axes(self):
        link = L.Linear(5)
        x = numpy.random.randn(4, 3, 2).astype('f')
        y = link(x, n_batch_axes=2)
        assert y.shape == (4, 3, 5)
        assert link.W.shape == (5, 2)
        expected = x.dot(link.W.array.T) + link.b.array
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-5, atol=1e-6)

    def test_lazy_init_dtype_from_initializer(self):
        link = L.Linear(2, initialW=initializers.Normal(1, numpy.float64),
                        initial_bias=initializers.Zero(numpy.float64))
        y = link(numpy.ones((1, 3)))
        assert link.W.dtype == numpy.float64 and y.dtype == numpy.float64

    def test_lazy_gradient(self):
        link = L.Linear(2)
        x = numpy.random.randn(3, 4)
        link(x.astype('f'))
        link.cleargrads()
        W = link.W.array.astype(numpy.float64)
        b = link.b.array.astype(numpy.float64)

        def f(x, W, b):
            with link.init_scope():
                link.W, link.b = W, b
            return link(x)

        gradient_check.check_backward(
            f, (x, W, b), numpy.random.randn(3, 2), atol=1e-5, rtol=1e-5)

    def test_bad_n_batch_axes(self):
        with pytest.raises(ValueError):
            L.Linear(2)(numpy.ones((2, 3), 'f'), n_batch_axes=0)


class TestLinearBadInput:

    def test_wrong_in_size(self):
        with pytest.raises(type_check.InvalidType):
            L.Linear(3, 2)(numpy.ones((4, 5), 'f'))

    def test_wrong_dtype(self):
        with pytest.raises(type_check.InvalidType):
            L.Linear(3, 2)(numpy.ones((4, 3), numpy.int32))

    def test_bad_initializer(self):
        with pytest.raises((TypeError, ValueError)):
            L.Linear(3, 2, initialW='foo')

    def test_wrong_initial_array_shape(self):
        with pytest.raises(ValueError):
            L.Linear(3, 2, initialW=numpy.zeros((3, 3), 'f'))


class TestLinearSerialization:

    def test_save_load(self):
        src = L.Linear(3, 2)
        dst = L.Linear(3, 2)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)
        numpy.testing.assert_array_equal(dst.b.array, src.b.array)

    def test_save_load_into_lazy(self):
        src = L.Linear(3, 2)
        dst = L.Linear(2)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)


class TestLinearCopy:

    def test_copy_init(self):
        link = L.Linear(3, 2)
        copied = link.copy(mode='copy')
        assert copied.W.array is not link.W.array
        numpy.testing.assert_array_equal(copied.W.array, link.W.array)

    def test_to_device_cpu(self):
        link = L.Linear(3, 2)
        link.to_device('@numpy')
        assert link.xp is numpy


@pytest.mark.gpu
class TestLinearGPU:

    def test_forward_gpu(self):
        import cupy
        link = L.Linear(3, 2)
        x = numpy.random.randn(4, 3).astype('f')
        expected = link(x).array
        link.to_gpu()
        y = link(cupy.asarray(x))
        assert isinstance(y.array, cupy.ndarray)
        numpy.testing.assert_allclose(cupy.asnumpy(y.array), expected, rtol=1e-5, atol=1e-6)

    def test_lazy_gpu(self):
        import cupy
        link = L.Linear(2)
        link.to_gpu()
        y = link(cupy.ones((4, 3), 'f'))
        assert isinstance(link.W.array, cupy.ndarray)
        assert y.shape == (4, 2)
