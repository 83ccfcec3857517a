import numpy

import chainer.links as L
from chainer import gradient_check
from chainer import testing


def _swish(x, beta):
    return x / (1 + numpy.exp(-beta * x))


class TestSwishLink:

    def test_shape_given(self):
        link = L.Swish((3,))
        numpy.testing.assert_array_equal(link.beta.array, numpy.ones(3, 'f'))
        link = L.Swish((3,), beta_init=0.5)
        numpy.testing.assert_array_equal(link.beta.array, numpy.full(3, 0.5, 'f'))

    def test_forward(self):
        link = L.Swish((3,))
        link.beta.array[...] = [0.5, 1.0, 2.0]
        x = numpy.random.randn(4, 3, 2).astype('f')
        beta = link.beta.array[None, :, None]
        numpy.testing.assert_allclose(link(x).array, _swish(x, beta), rtol=1e-5, atol=1e-6)

    def test_lazy(self):
        link = L.Swish(None, beta_init=2.0)
        assert link.beta.array is None
        x = numpy.random.randn(4, 3, 2).astype('f')
        y = link(x)
        assert link.beta.shape == (3, 2)  # x.shape[1:], as in Chainer
        numpy.testing.assert_array_equal(link.beta.array, numpy.full((3, 2), 2, 'f'))
        numpy.testing.assert_allclose(y.array, _swish(x, 2.0), rtol=1e-5, atol=1e-6)

    def test_lazy_one_dimensional_input_gets_a_scalar_beta(self):
        link = L.Swish(None, beta_init=0.5)
        x = numpy.array([-1.0, 0.5, 2.0], 'f')
        y = link(x)
        assert link.beta.shape == ()
        numpy.testing.assert_allclose(y.array, _swish(x, 0.5), rtol=1e-5, atol=1e-6)

    def test_backward(self):
        link = L.Swish((3,))
        x = numpy.random.randn(4, 3)
        beta = numpy.random.uniform(0.5, 1.5, 3)

        def f(x, beta):
            with link.init_scope():
                link.beta = beta
            return link(x)

        gradient_check.check_backward(f, (x, beta), numpy.random.randn(4, 3))

    def test_save_load(self):
        src = L.Swish((3,), beta_init=0.3)
        dst = L.Swish(None)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.beta.array, src.beta.array)
