import numpy
import pytest

import chainer.links as L
from chainer import gradient_check
from chainer import testing


class TestBiasLink:

    def test_learned(self):
        link = L.Bias(axis=1, shape=(3, 2))
        numpy.testing.assert_array_equal(link.b.array, numpy.zeros((3, 2), 'f'))
        link.b.array[...] = numpy.random.randn(3, 2)
        x = numpy.random.randn(4, 3, 2, 5).astype('f')
        y = link(x)
        numpy.testing.assert_allclose(y.array, x + link.b.array[None, :, :, None])

    def test_given(self):
        link = L.Bias(axis=2)
        assert not hasattr(link, 'b')
        assert list(link.params()) == []
        x = numpy.random.randn(4, 3, 2).astype('f')
        b = numpy.random.randn(2).astype('f')
        numpy.testing.assert_allclose(link(x, b).array, x + b)

    def test_backward(self):
        link = L.Bias(shape=(3,))
        x = numpy.random.randn(4, 3, 2)
        b = numpy.random.randn(3)

        def f(x, b):
            with link.init_scope():
                link.b = b
            return link(x)

        gradient_check.check_backward(f, (x, b), numpy.random.randn(4, 3, 2))

    @pytest.mark.parametrize('error', [ValueError, AssertionError])
    def test_wrong_number_of_args(self, error):
        # Chainer's ValueError (unpacking), and its debug mode's AssertionError.
        with pytest.raises(error):
            L.Bias(shape=(3,))(numpy.ones((2, 3), 'f'), numpy.ones(3, 'f'))
        with pytest.raises(error):
            L.Bias()(numpy.ones((2, 3), 'f'))

    def test_bad_shape(self):
        with pytest.raises(Exception):
            L.Bias(shape=(4,))(numpy.ones((2, 3), 'f'))

    def test_save_load(self):
        src, dst = L.Bias(shape=(3,)), L.Bias(shape=(3,))
        src.b.array[...] = [1, 2, 3]
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.b.array, src.b.array)
