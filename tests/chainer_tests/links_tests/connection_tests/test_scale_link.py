import numpy
import pytest

import chainer.links as L
from chainer import gradient_check
from chainer import testing


class TestScaleLink:

    def test_learned_W(self):
        link = L.Scale(axis=1, W_shape=(3,))
        numpy.testing.assert_array_equal(link.W.array, numpy.ones(3, 'f'))
        assert not hasattr(link, 'bias')
        link.W.array[...] = [1, 2, 3]
        x = numpy.random.randn(4, 3, 2).astype('f')
        numpy.testing.assert_allclose(link(x).array, x * link.W.array[None, :, None])

    def test_learned_W_and_bias(self):
        link = L.Scale(axis=1, W_shape=(3,), bias_term=True)
        assert isinstance(link.bias, L.Bias)
        assert link.bias.b.shape == (3,)
        assert sorted(n for n, _ in link.namedparams()) == ['/W', '/bias/b']
        link.W.array[...] = [1, 2, 3]
        link.bias.b.array[...] = [4, 5, 6]
        x = numpy.random.randn(4, 3).astype('f')
        numpy.testing.assert_allclose(link(x).array, x * [1, 2, 3] + [4, 5, 6], rtol=1e-6)

    def test_given_W(self):
        link = L.Scale(axis=1)
        x = numpy.random.randn(4, 3, 2).astype('f')
        w = numpy.random.randn(3, 2).astype('f')
        numpy.testing.assert_allclose(link(x, w).array, x * w)

    def test_given_W_with_bias(self):
        link = L.Scale(axis=1, bias_term=True, bias_shape=(3,))
        link.bias.b.array[...] = [1, 1, 1]
        x = numpy.random.randn(4, 3).astype('f')
        w = numpy.random.randn(3).astype('f')
        numpy.testing.assert_allclose(link(x, w).array, x * w + 1, rtol=1e-6)

    def test_bias_shape_required(self):
        with pytest.raises(ValueError):
            L.Scale(bias_term=True)

    @pytest.mark.parametrize('error', [ValueError, AssertionError])
    def test_wrong_number_of_args(self, error):
        # Chainer's ValueError (unpacking), and its debug mode's AssertionError.
        with pytest.raises(error):
            L.Scale(W_shape=(3,))(numpy.ones((2, 3), 'f'), numpy.ones(3, 'f'))
        with pytest.raises(error):
            L.Scale()(numpy.ones((2, 3), 'f'))

    def test_backward(self):
        link = L.Scale(W_shape=(3,), bias_term=True)
        x = numpy.random.randn(4, 3)
        W = numpy.random.randn(3)
        b = numpy.random.randn(3)

        def f(x, W, b):
            with link.init_scope():
                link.W = W
            with link.bias.init_scope():
                link.bias.b = b
            return link(x)

        gradient_check.check_backward(f, (x, W, b), numpy.random.randn(4, 3))

    def test_save_load(self):
        src = L.Scale(W_shape=(3,), bias_term=True)
        src.W.array[...] = [1, 2, 3]
        src.bias.b.array[...] = [4, 5, 6]
        dst = L.Scale(W_shape=(3,), bias_term=True)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)
        numpy.testing.assert_array_equal(dst.bias.b.array, src.bias.b.array)
