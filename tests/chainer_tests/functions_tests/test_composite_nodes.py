"""Node classes of composed functions: same outputs as the functions, and derivatives
of every order through the node."""
from __future__ import annotations

import numpy
import pytest

import chainer.functions as F
from chainer import gradient_check
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
