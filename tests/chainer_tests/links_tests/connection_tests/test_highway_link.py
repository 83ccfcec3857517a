import numpy
import pytest

import chainer.functions as F
import chainer.links as L
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check


def _sigmoid(x):
    return 1 / (1 + numpy.exp(-x))


class TestHighwayLink:

    def test_structure(self):
        link = L.Highway(3)
        assert sorted(name for name, _ in link.namedparams()) == [
            '/plain/W', '/plain/b', '/transform/W', '/transform/b']
        numpy.testing.assert_array_equal(link.transform.b.array, numpy.full(3, -1, 'f'))
        numpy.testing.assert_array_equal(link.plain.b.array, numpy.zeros(3, 'f'))
        assert link.activate is F.relu

    def test_nobias(self):
        link = L.Highway(3, nobias=True)
        assert link.plain.b is None and link.transform.b is None

    def test_forward(self):
        link = L.Highway(3, init_bh=0.5)
        x = numpy.random.randn(4, 3).astype('f')
        y = link(x)
        p = link.plain
        t = link.transform
        h = numpy.maximum(x.dot(p.W.array.T) + p.b.array, 0)
        g = _sigmoid(x.dot(t.W.array.T) + t.b.array)
        numpy.testing.assert_allclose(y.array, h * g + x * (1 - g), rtol=1e-5, atol=1e-6)

    def test_custom_activation(self):
        link = L.Highway(3, activate=F.tanh)
        x = numpy.random.randn(4, 3).astype('f')
        p, t = link.plain, link.transform
        h = numpy.tanh(x.dot(p.W.array.T))
        g = _sigmoid(x.dot(t.W.array.T) - 1)
        numpy.testing.assert_allclose(link(x).array, h * g + x * (1 - g), rtol=1e-5, atol=1e-6)

    def test_backward(self):
        link = L.Highway(3, activate=F.tanh)
        x = numpy.random.randn(4, 3)
        params = [link.plain.W.array, link.plain.b.array,
                  link.transform.W.array, link.transform.b.array]
        params = [p.astype(numpy.float64) for p in params]

        def f(x, pW, pb, tW, tb):
            with link.plain.init_scope():
                link.plain.W, link.plain.b = pW, pb
            with link.transform.init_scope():
                link.transform.W, link.transform.b = tW, tb
            return link(x)

        gradient_check.check_backward(f, (x, *params), numpy.random.randn(4, 3))

    def test_bad_input(self):
        with pytest.raises(type_check.InvalidType):
            L.Highway(3)(numpy.ones((4, 2), 'f'))

    def test_save_load(self):
        src, dst = L.Highway(3), L.Highway(3)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.plain.W.array, src.plain.W.array)
        numpy.testing.assert_array_equal(dst.transform.W.array, src.transform.W.array)
