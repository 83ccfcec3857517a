import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing
from chainer.utils import type_check


class TestSimplifiedDropconnectLink:

    def test_params(self):
        link = L.SimplifiedDropconnect(3, 2)
        assert link.W.shape == (2, 3)
        assert isinstance(link.W.initializer, initializers.HeNormal)
        numpy.testing.assert_array_equal(link.b.array, numpy.zeros(2, 'f'))
        assert link.ratio == 0.5 and link.out_size == 2
        assert L.SimplifiedDropconnect(3, 2, nobias=True).b is None

    def test_eval_is_linear(self):
        link = L.SimplifiedDropconnect(3, 2, initial_bias=1)
        x = numpy.random.randn(4, 3).astype('f')
        y = link(x, train=False)
        numpy.testing.assert_allclose(
            y.array, x.dot(link.W.array.T) + 1, rtol=1e-5, atol=1e-6)

    def test_with_mask(self):
        link = L.SimplifiedDropconnect(3, 2, ratio=0.5)
        x = numpy.random.randn(4, 3).astype('f')
        mask = (numpy.random.rand(4, 2, 3) > 0.5).astype('f')
        y = link(x, mask=mask)
        W = link.W.array
        expected = numpy.einsum('bij,bj->bi', W[None] * mask, x) * 2 + link.b.array
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-5, atol=1e-5)

    def test_backward_with_mask(self):
        link = L.SimplifiedDropconnect(3, 2, ratio=0.5)
        x = numpy.random.randn(4, 3)
        mask = (numpy.random.rand(4, 2, 3) > 0.5).astype(numpy.float64)
        W = link.W.array.astype(numpy.float64)
        b = link.b.array.astype(numpy.float64)

        def f(x, W, b):
            with link.init_scope():
                link.W, link.b = W, b
            return link(x, mask=mask)

        gradient_check.check_backward(f, (x, W, b), numpy.random.randn(4, 2))

    def test_train_drops(self):
        numpy.random.seed(0)
        link = L.SimplifiedDropconnect(50, 40, ratio=0.9, nobias=True)
        x = numpy.ones((2, 50), 'f')
        with chainer.using_config('train', True):
            y = link(x).array
        assert not numpy.allclose(y, x.dot(link.W.array.T))

    def test_lazy(self):
        link = L.SimplifiedDropconnect(None, 2)
        assert link.W.array is None
        y = link(numpy.ones((4, 3, 2), 'f'), train=False)
        assert link.W.shape == (2, 6) and y.shape == (4, 2)

    def test_bad_input(self):
        link = L.SimplifiedDropconnect(3, 2)
        with pytest.raises(type_check.InvalidType):
            link(numpy.ones((4, 5), 'f'))

    def test_save_load(self):
        src, dst = L.SimplifiedDropconnect(3, 2), L.SimplifiedDropconnect(3, 2)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)


def test_first_mask_is_registered_as_persistent(tmp_path):
    # Chainer's link keeps the first mask it is given as the persistent ``mask``,
    # so it is saved with the link; later calls use the mask they are given
    link = L.SimplifiedDropconnect(3, 2)
    x = numpy.ones((4, 3), 'f')
    assert 'mask' not in link._persistent
    link(x, train=False)
    assert 'mask' not in link._persistent
    mask1 = numpy.ones((4, 2, 3), 'f')
    mask2 = numpy.zeros((4, 2, 3), 'f')
    link(x, mask=mask1)
    assert 'mask' in link._persistent and link.mask is mask1
    y = link(x, mask=mask2)
    assert link.mask is mask1
    numpy.testing.assert_array_equal(y.array, numpy.broadcast_to(link.b.array, (4, 2)))
    path = str(tmp_path / 'sd.npz')
    chainer.serializers.save_npz(path, link)
    with numpy.load(path) as f:
        assert sorted(f.files) == ['W', 'b', 'mask']
        numpy.testing.assert_array_equal(f['mask'], mask1)


@pytest.mark.parametrize('x, error', [
    (numpy.float32(1), TypeError), ([[1.0, 2.0]], TypeError),
    (numpy.zeros(3, numpy.float32), type_check.InvalidType)])
def test_lazy_refuses_a_bad_first_input_before_sizing_w(x, error):
    # Was an IndexError (0-d) or a W sized from a 1-d input.
    link = L.SimplifiedDropconnect(None, 3)
    with pytest.raises(error):
        link(x)
    assert link.W.array is None
    assert link(numpy.ones((2, 4), numpy.float32)).shape == (2, 3)
