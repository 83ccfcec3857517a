"""Converters of chainer.functions.loss."""
from __future__ import annotations

import numpy

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_SoftmaxCrossEntropy', 'onnx_helper', 'support']


@support(_OPSETS)
def convert_SoftmaxCrossEntropy(func, opset_version, input_names, output_names, context):
    if func.class_weight is not None:
        raise _util.unsupported(func, opset_version,
                                'class_weight (ONNX divides by the weight sum)')
    if getattr(func, 'soft_target_loss', 'cross-entropy') != 'cross-entropy' or \
            len(_util.in_shape(func, 1)) == len(_util.in_shape(func, 0)):
        raise _util.unsupported(func, opset_version, 'soft targets')
    x, t = input_names
    gb = _util.builder(context)
    if opset_version < 12:
        # SoftmaxCrossEntropyLoss came with opset 12
        return _decomposed(func, gb, context, opset_version, x, t, output_names)
    t64 = gb.op('Cast', [t], to=7)
    ignore = int(func.ignore_label)
    if func.reduce == 'no':
        gb.op('SoftmaxCrossEntropyLoss', [x, t64], reduction='none', ignore_index=ignore)
    elif func.normalize:
        # The sum over the valid labels' count, at least 1 (as Chainer: 0 where every
        # label is ignored; reduction='mean' divides by 0 there and gives NaN)
        total = gb.op('SoftmaxCrossEntropyLoss', [x, t64], reduction='sum',
                      ignore_index=ignore)
        dt = _util.in_dtype(func)
        gb.op('Div', [total, _count(gb, context, opset_version, _valid(gb, context, func, t),
                                    dt)])
    else:
        total = gb.op('SoftmaxCrossEntropyLoss', [x, t64], reduction='sum',
                      ignore_index=ignore)
        n = _util.const(context, _util.in_shape(func, 0)[0], _util.in_dtype(func))
        gb.op('Div', [total, n])
    return gb.nodes(output_names)


def _decomposed(func, gb, context, opset_version, x, t, output_names) -> tuple:
    """The loss from LogSoftmax and OneHot, as Chainer wrote it before opset 12, with
    ignored labels masked out."""
    shape = _util.in_shape(func)
    dt = _util.in_dtype(func)
    if len(shape) == 2:
        log_p = gb.op('LogSoftmax', [x], axis=1)
    else:
        log_p = gb.op('Sub', [x, _util.reduce(gb, context, opset_version, 'ReduceLogSumExp',
                                              x, [1], True)])
    if opset_version < 11:
        # OneHot's indices are negative (counted from the end) only from opset 11: an
        # ignored label (masked out below) is class 0 here.
        ignore = _util.const(context, func.ignore_label, _util.in_dtype(func, 1), 'ignore_label')
        zero = _util.const(context, 0, _util.in_dtype(func, 1), 'zero')
        labels = gb.op('Where', [gb.op('Equal', [t, ignore]), zero, t])
    else:
        labels = t
    one_hot = gb.op('OneHot', [labels, _util.const(context, [shape[1]], numpy.int32, 'depth'),
                               _util.const(context, [0, 1], dt, 'zeroone')], axis=1)
    nll = gb.op('Neg', [_util.reduce(gb, context, opset_version, 'ReduceSum',
                                     gb.op('Mul', [log_p, one_hot]), [1], False)])
    valid = _valid(gb, context, func, t)
    if func.reduce == 'no':
        gb.op('Mul', [nll, valid])
        return gb.nodes(output_names)
    total = _util.reduce(gb, context, opset_version, 'ReduceSum',
                         gb.op('Mul', [nll, valid]), None, False)
    if func.normalize:
        count = _count(gb, context, opset_version, valid, dt)
    else:
        count = _util.const(context, shape[0], dt, 'batch_size')
    gb.op('Div', [total, count])
    return gb.nodes(output_names)


def _valid(gb, context, func, t) -> str:
    """1 where the label is not ``ignore_label``, else 0, in the input's dtype."""
    ignore = _util.const(context, func.ignore_label, _util.in_dtype(func, 1), 'ignore_label')
    return gb.op('Cast', [gb.op('Not', [gb.op('Equal', [t, ignore])])],
                 to=_util.tensor_type(_util.in_dtype(func)))


def _count(gb, context, opset_version, valid, dt) -> str:
    """The number of valid labels, at least 1 (Chainer's normalizer)."""
    return gb.op('Max', [_util.reduce(gb, context, opset_version, 'ReduceSum', valid, None,
                                      False), _util.const(context, 1, dt, 'one')])
