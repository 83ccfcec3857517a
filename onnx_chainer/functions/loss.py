"""Converters of chainer.functions.loss."""
from __future__ import annotations

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
    t64 = gb.op('Cast', [t], to=7)
    ignore = int(func.ignore_label)
    if func.reduce == 'no':
        gb.op('SoftmaxCrossEntropyLoss', [x, t64], reduction='none', ignore_index=ignore)
    elif func.normalize:
        gb.op('SoftmaxCrossEntropyLoss', [x, t64], reduction='mean', ignore_index=ignore)
    else:
        total = gb.op('SoftmaxCrossEntropyLoss', [x, t64], reduction='sum',
                      ignore_index=ignore)
        n = _util.const(context, _util.in_shape(func, 0)[0], _util.in_dtype(func))
        gb.op('Div', [total, n])
    return gb.nodes(output_names)
