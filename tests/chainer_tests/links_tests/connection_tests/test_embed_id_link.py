import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product({'ignore_label': [None, -1, 2]}))
class TestEmbedIDLink:

    def test_forward(self):
        link = L.EmbedID(5, 3, ignore_label=self.ignore_label)
        x = numpy.array([[0, 1], [4, 2], [3, -1 if self.ignore_label == -1 else 0]], 'i')
        y = link(x)
        assert y.shape == (3, 2, 3)
        W = link.W.array
        expected = numpy.zeros((3, 2, 3), 'f')
        for idx in numpy.ndindex(x.shape):
            if x[idx] != self.ignore_label:
                expected[idx] = W[x[idx]]
        numpy.testing.assert_array_equal(y.array, expected)

    def test_backward(self):
        link = L.EmbedID(5, 3, ignore_label=self.ignore_label)
        x = numpy.array([0, 1, 4, 2, 1], 'i')
        W = link.W.array.astype(numpy.float64)

        def f(W):
            with link.init_scope():
                link.W = W
            return link(x)

        gradient_check.check_backward(f, (W,), numpy.random.randn(5, 3))

    def test_ignored_gets_no_gradient(self):
        if self.ignore_label is None:
            return
        link = L.EmbedID(5, 3, ignore_label=self.ignore_label)
        x = numpy.array([self.ignore_label, 1], 'i')
        link.cleargrads()
        chainer.functions.sum(link(x)).backward()
        expected = numpy.zeros((5, 3), 'f')
        expected[1] = 1
        numpy.testing.assert_array_equal(link.W.grad, expected)


class TestEmbedIDMisc:

    def test_default_initializer(self):
        link = L.EmbedID(5, 3)
        assert link.W.shape == (5, 3) and link.W.dtype == numpy.float32
        assert isinstance(link.W.initializer, initializers.Normal)
        assert link.W.initializer.scale == 1.0
        assert link.ignore_label is None

    def test_initialW(self):
        W = numpy.arange(15, dtype='f').reshape(5, 3)
        link = L.EmbedID(5, 3, initialW=W)
        numpy.testing.assert_array_equal(link.W.array, W)

    def test_from_params(self):
        W = numpy.arange(15, dtype='f').reshape(5, 3)
        link = L.EmbedID.from_params(W, ignore_label=0)
        numpy.testing.assert_array_equal(link.W.array, W)
        assert link.ignore_label == 0

    def test_bad_ids(self):
        link = L.EmbedID(5, 3)
        with pytest.raises(type_check.InvalidType):
            link(numpy.array([0.5], 'f'))
        with pytest.raises((ValueError, IndexError)):
            link(numpy.array([5], 'i'))

    def test_save_load(self):
        src, dst = L.EmbedID(5, 3), L.EmbedID(5, 3)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)
