"""Node classes of composed functions: same outputs as the functions, and derivatives
of every order through the node."""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer.functions.array import spatial_transformer_sampler as sts
from chainer.functions.connection import local_convolution_2d as lc
from chainer.functions.normalization import group_normalization as gn
from chainer.functions.normalization import l2_normalization as l2
from chainer.functions.normalization import layer_normalization as ln
from chainer.functions.normalization import local_response_normalization as lrn
from chainer.functions.pooling import roi_average_align_2d as raa
from chainer.functions.pooling import roi_average_pooling_2d as rap
from chainer.functions.pooling import roi_max_align_2d as rma
from chainer.functions.pooling import roi_max_pooling_2d as rmp
from chainer.functions.pooling import roi_pooling_2d as rp

_rng = numpy.random.default_rng(1)


def _x(*shape):
    return _rng.uniform(-1, 1, shape)


_ROIS = numpy.array([[0.5, 1.0, 3.5, 4.0], [1.0, 0.0, 4.0, 3.0]])
_ROIS5 = numpy.array([[0, 0.5, 1.0, 3.5, 4.0], [1, 1.0, 0.0, 4.0, 3.0]])
_IDX = numpy.array([0, 1], numpy.int32)

# (node, function on the same inputs, float inputs, other inputs)
_CASES = {
    'NormalizeL2': (lambda: l2.NormalizeL2(1e-5, 1), lambda x: F.normalize(x), [(3, 4)], []),
    'LocalResponseNormalization': (lambda: lrn.LocalResponseNormalization(3, 1, 0.5, 0.75),
                                   lambda x: F.local_response_normalization(x, 3, 1, 0.5, 0.75),
                                   [(2, 4, 2)], []),
    'LayerNormalization': (lambda: ln.LayerNormalization(1e-5), F.layer_normalization,
                           [(3, 4), (4,), (4,)], []),
    'GroupNormalization': (lambda: gn.GroupNormalization(2),
                           lambda x, g, b: F.group_normalization(x, 2, g, b),
                           [(2, 4, 3), (4,), (4,)], []),
    'LocalConvolution2DFunction': (lambda: lc.LocalConvolution2DFunction(1),
                                   F.local_convolution_2d, [(1, 2, 3, 3), (2, 2, 2, 2, 2, 2)], []),
    'ROIAveragePooling2D': (lambda: rap.ROIAveragePooling2D(2, 1.0),
                            lambda x, r, i: F.roi_average_pooling_2d(x, r, i, 2, 1.0),
                            [(2, 2, 5, 5)], [_ROIS, _IDX]),
    'ROIMaxPooling2D': (lambda: rmp.ROIMaxPooling2D(2, 1.0),
                        lambda x, r, i: F.roi_max_pooling_2d(x, r, i, 2, 1.0),
                        [(2, 2, 5, 5)], [_ROIS, _IDX]),
    'ROIAverageAlign2D': (lambda: raa.ROIAverageAlign2D(2, 1.0, 2),
                          lambda x, r, i: F.roi_average_align_2d(x, r, i, 2, 1.0, 2),
                          [(2, 2, 5, 5)], [_ROIS, _IDX]),
    'ROIMaxAlign2D': (lambda: rma.ROIMaxAlign2D(2, 1.0, 2),
                      lambda x, r, i: F.roi_max_align_2d(x, r, i, 2, 1.0, 2),
                      [(2, 2, 5, 5)], [_ROIS, _IDX]),
    'ROIPooling2D': (lambda: rp.ROIPooling2D(2, 2, 1.0),
                     lambda x, r: F.roi_pooling_2d(x, r, 2, 2, 1.0),
                     [(2, 2, 5, 5)], [_ROIS5]),
    'SpatialTransformerSampler': (sts.SpatialTransformerSampler,
                                  F.spatial_transformer_sampler,
                                  [(2, 2, 4, 5), (2, 2, 3, 3)], []),
}


@pytest.mark.parametrize('name', list(_CASES))
def test_node_matches_function_and_differentiates(name):
    make, fn, shapes, others = _CASES[name]
    floats = [_x(*s) for s in shapes]
    rest = list(others)
    node = make()
    assert type(node).__name__ == name
    y, = node.apply(tuple(floats) + tuple(rest))
    numpy.testing.assert_allclose(y.array, fn(*floats, *rest).array, rtol=1e-12)

    def f(*xs):
        return make().apply(tuple(xs) + tuple(rest))[0]

    gy = _x(*y.shape)
    ggx = [_x(*s) for s in shapes]
    gradient_check.check_backward(f, tuple(floats), gy, dtype=numpy.float64,
                                  atol=1e-4, rtol=1e-4)
    if name.startswith('ROIMax'):
        return  # piecewise linear: the second derivative is zero almost everywhere
    gradient_check.check_double_backward(f, tuple(floats), gy, tuple(ggx),
                                         dtype=numpy.float64, atol=1e-4, rtol=1e-4)


def test_batch_renormalization_node_updates_once_and_differentiates():
    from chainer.functions.normalization import batch_renormalization as br
    x, gamma, beta = _x(5, 3), _x(3) + 2, _x(3)
    mean, var = _x(3) * 0.1, numpy.ones(3) * 0.8
    m0, v0 = mean.copy(), var.copy()
    node = br.BatchRenormalizationFunction(mean=mean, var=var, rmax=1.5, dmax=0.5)
    assert (node.eps, node.decay, node.update_statistics) == (2e-5, 0.9, True)  # Chainer's
    x0 = chainer.Variable(x)
    y, = node.apply((x0, gamma, beta))
    ref = F.batch_renormalization(x, gamma, beta, 1.5, 0.5, 2e-5, m0.copy(), v0.copy(), 0.9)
    numpy.testing.assert_allclose(y.array, ref.array, rtol=1e-12)
    after = mean.copy()
    assert not numpy.array_equal(after, m0)
    gy = _x(*y.shape)
    gx, = chainer.grad([y], [x0], [gy])
    numpy.testing.assert_array_equal(mean, after)  # backward does not update again
    xv = chainer.Variable(x)
    ref = F.batch_renormalization(xv, gamma, beta, 1.5, 0.5, 2e-5, m0.copy(), v0.copy(), 0.9)
    gx_ref, = chainer.grad([ref], [xv], [gy])  # with the statistics before the update
    numpy.testing.assert_allclose(gx.array, gx_ref.array, rtol=1e-10)

    def f(x, gamma, beta):
        # r and d are constants of differentiation; clipped to 1 and 0 the numerical
        # gradient agrees.
        n = br.BatchRenormalizationFunction(2e-5, m0.copy(), v0.copy(), 0.9, 1.0, 0.0,
                                            update_statistics=False)
        return n.apply((x, gamma, beta))[0]

    gradient_check.check_double_backward(f, (x, gamma, beta), _x(5, 3),
                                         (_x(5, 3), _x(3), _x(3)), atol=1e-4, rtol=1e-4)


def test_decorrelated_batch_normalization_node():
    from chainer.functions.normalization import decorrelated_batch_normalization as dbn
    x = _x(10, 4)
    mean, proj = numpy.zeros((2, 2)), numpy.stack([numpy.eye(2)] * 2)
    node = dbn.DecorrelatedBatchNormalization(2, 2e-5, mean, proj, 0.9)
    y, = node.apply((x,))
    ref = F.decorrelated_batch_normalization(x, groups=2)
    numpy.testing.assert_allclose(y.array, ref.array, rtol=1e-10)
    after = mean.copy()
    assert not numpy.array_equal(after, 0)
    y.grad = _x(*y.shape)
    y.backward()
    numpy.testing.assert_array_equal(mean, after)

    def f(x):
        return dbn.DecorrelatedBatchNormalization(2).apply((x,))[0]

    gradient_check.check_backward(f, (x,), _x(10, 4), atol=1e-4, rtol=1e-4)


def test_gradients_without_double_backprop_have_no_graph():
    # The NStep RNNs' first gradient is built from a composite node (LayerGradNode):
    # differentiating it again without enable_double_backprop gives plain values,
    # like every other gradient.
    rnn = chainer.links.NStepRNNTanh(1, 3, 4, 0.0)
    xs = [chainer.Variable(_x(t, 3).astype(numpy.float32)) for t in (3, 1)]
    hy, ys = rnn(None, xs)
    params = list(rnn.params())
    gs = chainer.grad([F.sum(hy) + sum(F.sum(y) for y in ys)], params,
                      enable_double_backprop=True)
    for double in (False, True):
        g2 = chainer.grad([sum(F.sum(g * g) for g in gs)], params,
                          enable_double_backprop=double)
        assert all((g.creator is None) is not double for g in g2)
