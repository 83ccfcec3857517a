"""Built-in nodes that Chainer wrote as old-style ``chainer.Function``: calling one
applies it and returns its output (or outputs), as ``Function.__call__`` did."""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.function_node import FunctionNode
from chainer.functions.array import spatial_transformer_grid as stg
from chainer.functions.array import spatial_transformer_sampler as sts
from chainer.functions.evaluation import binary_accuracy as ba
from chainer.functions.evaluation import classification_summary as cs
from chainer.functions.evaluation import r2_score as r2
from chainer.functions.loss import ctc
from chainer.functions.loss import decov
from chainer.functions.loss import hinge
from chainer.functions.normalization import batch_renormalization as br
from chainer.functions.pooling import roi_average_align_2d as raa
from chainer.functions.pooling import roi_average_pooling_2d as rap
from chainer.functions.pooling import roi_max_align_2d as rma
from chainer.functions.pooling import roi_max_pooling_2d as rmp
from chainer.functions.rnn import lstm
from chainer.functions.rnn import slstm
from chainer.functions.rnn import tree_lstm

_rng = numpy.random.default_rng(3)


def _f(*shape):
    return _rng.uniform(-1, 1, shape).astype(numpy.float32)


_T = numpy.array([0, 2, 1], numpy.int32)
_ROIS = numpy.array([[0.5, 1.0, 3.5, 4.0], [1.0, 0.0, 4.0, 3.0]], numpy.float32)
_IDX = numpy.array([0, 1], numpy.int32)
_X4 = _f(2, 2, 5, 5)
_Y = _f(3, 4)
_CTC_X = [_f(2, 3) for _ in range(4)]
_CTC_T = numpy.array([[0, 1], [1, 1]], numpy.int32)
_LEN_IN = numpy.full(2, 4, numpy.int32)
_LEN_LAB = numpy.full(2, 2, numpy.int32)

# (node, its inputs, the function's outputs on the same data)
_CASES = {
    'Hinge': (lambda: hinge.Hinge('L1'), (_Y, _T), lambda: F.hinge(_Y, _T)),
    'DeCov': (lambda: decov.DeCov(), (_Y,), lambda: F.decov(_Y)),
    'BinaryAccuracy': (ba.BinaryAccuracy, (_Y, (_Y > 0).astype(numpy.int32)),
                       lambda: F.binary_accuracy(_Y, (_Y > 0).astype(numpy.int32))),
    'R2_score': (lambda: r2.R2_score(None, 'uniform_average'), (_Y, _Y * 0.5),
                 lambda: F.r2_score(_Y, _Y * 0.5)),
    'ClassificationSummary': (lambda: cs.ClassificationSummary(4, 1.0, -1), (_Y, _T),
                              lambda: F.classification_summary(_Y, _T, 4)),
    'TreeLSTM': (tree_lstm.TreeLSTM, (_f(2, 3), _f(2, 3), _f(2, 15)),
                 lambda: None),
    'SpatialTransformerGrid': (lambda: stg.SpatialTransformerGrid((3, 4)), (_f(2, 2, 3),),
                               None),
    'SpatialTransformerSampler': (sts.SpatialTransformerSampler,
                                  (_X4, _f(2, 2, 3, 3)), None),
    'BatchRenormalizationFunction': (
        lambda: br.BatchRenormalizationFunction(mean=numpy.zeros(3, numpy.float32),
                                                var=numpy.ones(3, numpy.float32), rmax=1.5,
                                                dmax=0.5, update_statistics=False),
        (_f(5, 3), _f(3) + 2, _f(3)), None),
    'ROIMaxPooling2D': (lambda: rmp.ROIMaxPooling2D(2, 1.0), (_X4, _ROIS, _IDX),
                        lambda: F.roi_max_pooling_2d(_X4, _ROIS, _IDX, 2, 1.0)),
    'ROIAveragePooling2D': (lambda: rap.ROIAveragePooling2D(2, 1.0), (_X4, _ROIS, _IDX),
                            lambda: F.roi_average_pooling_2d(_X4, _ROIS, _IDX, 2, 1.0)),
    'ROIMaxAlign2D': (lambda: rma.ROIMaxAlign2D(2, 1.0, 2), (_X4, _ROIS, _IDX),
                      lambda: F.roi_max_align_2d(_X4, _ROIS, _IDX, 2, 1.0, 2)),
    'ROIAverageAlign2D': (lambda: raa.ROIAverageAlign2D(2, 1.0, 2), (_X4, _ROIS, _IDX),
                          lambda: F.roi_average_align_2d(_X4, _ROIS, _IDX, 2, 1.0, 2)),
    'LSTMGrad': (lstm.LSTMGrad, (_f(3, 2), _f(3, 8), _f(3, 2), _f(3, 2), _f(3, 2)), None),
    'SLSTMGrad': (slstm.SLSTMGrad, (_f(3, 2), _f(3, 2), _f(3, 8), _f(3, 8), _f(3, 2),
                                    _f(3, 2), _f(3, 2)), None),
    'ConnectionistTemporalClassification': (
        lambda: ctc.ConnectionistTemporalClassification(0),
        (_LEN_IN, _LEN_LAB, _CTC_T, numpy.stack(_CTC_X)),
        lambda: F.connectionist_temporal_classification(_CTC_X, _CTC_T, 0)),
}


def _arrays(out):
    return [o.array for o in (out if isinstance(out, tuple) else (out,))]


@pytest.mark.parametrize('name', list(_CASES))
def test_calling_the_node_applies_it(name):
    make, inputs, reference = _CASES[name]
    node = make()
    out = node(*inputs)
    applied = make().apply(inputs)
    # one output comes back as a Variable, several as a tuple, as Chainer's Function
    if len(applied) == 1:
        assert isinstance(out, chainer.Variable)
    else:
        assert isinstance(out, tuple) and len(out) == len(applied)
    for a, b in zip(_arrays(out), [v.array for v in applied]):
        numpy.testing.assert_array_equal(a, b)
    if reference is not None and reference() is not None:
        for a, b in zip(_arrays(out), _arrays(reference())):
            numpy.testing.assert_allclose(a, b, rtol=1e-6)
    first = out[0] if isinstance(out, tuple) else out
    assert first.creator is node


def test_a_second_call_is_a_node_of_its_own():
    node = hinge.Hinge('L2')
    x1 = chainer.Variable(_f(3, 4))
    x2 = chainer.Variable(_f(3, 4))
    y1 = node(x1, _T)
    y2 = node(x2, _T)
    assert y1.creator is node and y2.creator is not node
    assert type(y2.creator) is hinge.Hinge
    y1.backward()
    y2.backward()
    g1, = chainer.grad([F.hinge(x1, _T, 'L2')], [x1])
    numpy.testing.assert_allclose(x1.grad, g1.array, rtol=1e-6)
    assert x2.grad is not None


def test_other_built_in_nodes_still_refuse_calls():
    with pytest.raises(RuntimeError, match='apply'):
        F.activation.relu.ReLU()(_Y)
    assert FunctionNode.__call__ is not hinge.Hinge.__call__
