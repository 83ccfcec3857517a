import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing
from chainer.utils import type_check


def _expected(e1, e2, W, V1=None, V2=None, b=None):
    y = numpy.einsum('ij,ik,jkl->il', e1, e2, W)
    if V1 is not None:
        y = y + e1.dot(V1) + e2.dot(V2) + b
    return y


@testing.parameterize(*testing.product({'nobias': [False, True]}))
class TestBilinearLink:

    def _link(self):
        return L.Bilinear(3, 4, 2, nobias=self.nobias)

    def test_params(self):
        link = self._link()
        assert link.W.shape == (3, 4, 2)
        names = sorted(name for name, _ in link.namedparams())
        if self.nobias:
            assert names == ['/W']
        else:
            assert names == ['/V1', '/V2', '/W', '/b']
            assert link.V1.shape == (3, 2) and link.V2.shape == (4, 2)
            numpy.testing.assert_array_equal(link.b.array, numpy.zeros(2, 'f'))
        assert link.in_sizes == (3, 4)

    def test_forward(self):
        link = self._link()
        e1 = numpy.random.randn(5, 3).astype('f')
        e2 = numpy.random.randn(5, 4).astype('f')
        y = link(e1, e2)
        params = [link.W.array] if self.nobias else [
            link.W.array, link.V1.array, link.V2.array, link.b.array]
        numpy.testing.assert_allclose(y.array, _expected(e1, e2, *params),
                                      rtol=1e-4, atol=1e-5)

    def test_backward(self):
        link = self._link()
        if not self.nobias:
            link.b.array[...] = numpy.random.randn(2)
        names = ['W'] if self.nobias else ['W', 'V1', 'V2', 'b']
        params = [getattr(link, n).array.astype(numpy.float64) for n in names]
        e1 = numpy.random.randn(5, 3)
        e2 = numpy.random.randn(5, 4)

        def f(e1, e2, *ps):
            with link.init_scope():
                for n, p in zip(names, ps):
                    setattr(link, n, p)
            return link(e1, e2)

        gradient_check.check_backward(
            f, (e1, e2, *params), numpy.random.randn(5, 2), atol=1e-5, rtol=1e-5)

    def test_save_load(self):
        src, dst = self._link(), self._link()
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)


class TestBilinearInitializers:

    def test_initial_arrays(self):
        W = numpy.random.randn(3, 4, 2).astype('f')
        V1 = numpy.random.randn(3, 2).astype('f')
        V2 = numpy.random.randn(4, 2).astype('f')
        b = numpy.random.randn(2).astype('f')
        link = L.Bilinear(3, 4, 2, initialW=W, initial_bias=(V1, V2, b))
        for p, a in ((link.W, W), (link.V1, V1), (link.V2, V2), (link.b, b)):
            numpy.testing.assert_array_equal(p.array, a)

    def test_initializer_objects(self):
        link = L.Bilinear(3, 4, 2, initialW=initializers.One(),
                          initial_bias=(2, initializers.Constant(3), 4))
        assert (link.W.array == 1).all() and (link.V1.array == 2).all()
        assert (link.V2.array == 3).all() and (link.b.array == 4).all()

    def test_bad_initial_bias(self):
        with pytest.raises(ValueError):
            L.Bilinear(3, 4, 2, initial_bias=0)
        with pytest.raises(ValueError):
            L.Bilinear(3, 4, 2, initial_bias=(None, None))

    def test_bad_initial_shapes(self):
        # ValueError, and the AssertionError Chainer's assert raised
        for kwargs in ({'initialW': numpy.zeros((3, 4, 3), 'f')},
                       {'initial_bias': (numpy.zeros((3, 3), 'f'), None, None)},
                       {'initial_bias': (None, numpy.zeros((3, 2), 'f'), None)},
                       {'initial_bias': (None, None, numpy.zeros(3, 'f'))}):
            with pytest.raises(ValueError):
                L.Bilinear(3, 4, 2, **kwargs)
            with pytest.raises(AssertionError):
                L.Bilinear(3, 4, 2, **kwargs)

    def test_bad_input(self):
        link = L.Bilinear(3, 4, 2)
        with pytest.raises(type_check.InvalidType):
            link(numpy.ones((5, 4), 'f'), numpy.ones((5, 4), 'f'))
        with pytest.raises(type_check.InvalidType):
            link(numpy.ones((5, 3), 'f'), numpy.ones((6, 4), 'f'))

    def test_str(self):
        assert str(L.Bilinear(3, 4, 2)) == 'Bilinear()'

    def test_zero_grads(self):
        link = L.Bilinear(3, 4, 2)
        link.cleargrads()
        link.zero_grads()
        assert (link.W.grad == 0).all()
        assert isinstance(link.W, chainer.Parameter)
