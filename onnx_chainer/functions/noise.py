"""Converters of chainer.functions.noise."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_Dropout', 'onnx_helper', 'support']


@support((7, 12))
def convert_Dropout(func, opset_version, input_names, output_names, context):
    # ONNX runtimes run Dropout as the identity (training_mode defaults to false),
    # which is what a model traced in training mode means at inference time. The
    # ratio is an attribute before opset 12.
    if opset_version < 12:
        return _util.single('Dropout', input_names[:1], output_names[:1],
                            ratio=float(func.dropout_ratio))
    ratio = _util.const(context, float(func.dropout_ratio), _util.in_dtype(func))
    return _util.single('Dropout', [input_names[0], ratio], output_names[:1])
