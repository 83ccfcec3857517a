"""Converters from rechainer functions to ONNX operators, one per function class.

A converter is called as ``convert_<Class>(func, opset_version, input_names,
output_names, context)`` and returns a tuple of ONNX NodeProtos.
"""
from onnx_chainer.functions.activation import *  # NOQA
from onnx_chainer.functions.array import *  # NOQA
from onnx_chainer.functions.connection import *  # NOQA
from onnx_chainer.functions.loss import *  # NOQA
from onnx_chainer.functions.math import *  # NOQA
from onnx_chainer.functions.noise import *  # NOQA
from onnx_chainer.functions.normalization import *  # NOQA
from onnx_chainer.functions.pooling import *  # NOQA
from onnx_chainer.functions.rnn import *  # NOQA
from onnx_chainer.functions.activation import __all__ as _a
from onnx_chainer.functions.array import __all__ as _b
from onnx_chainer.functions.connection import __all__ as _c
from onnx_chainer.functions.loss import __all__ as _d
from onnx_chainer.functions.math import __all__ as _e
from onnx_chainer.functions.noise import __all__ as _f
from onnx_chainer.functions.normalization import __all__ as _g
from onnx_chainer.functions.pooling import __all__ as _h
from onnx_chainer.functions.rnn import __all__ as _i

__all__ = sorted({n for n in _a + _b + _c + _d + _e + _f + _g + _h + _i
                  if n.startswith('convert_')})
