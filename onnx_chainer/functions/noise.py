"""Converters of chainer.functions.noise."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_Dropout', 'onnx_helper', 'support']


@support(_OPSETS)
def convert_Dropout(func, opset_version, input_names, output_names, context):
    # ONNX runtimes run Dropout as the identity (training_mode defaults to false),
    # which is what a model traced in training mode means at inference time.
    ratio = _util.const(context, float(func.dropout_ratio), _util.in_dtype(func))
    return _util.single('Dropout', [input_names[0], ratio], output_names[:1])
