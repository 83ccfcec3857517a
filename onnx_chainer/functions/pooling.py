"""Converters of chainer.functions.pooling."""
from __future__ import annotations

import numpy

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_AveragePooling2D', 'convert_AveragePoolingND', 'convert_MaxPooling2D',
           'convert_MaxPoolingND', 'convert_ROIPooling2D', 'convert_Unpooling2D',
           'convert_UnpoolingND', 'onnx_helper', 'support']


def _end_pads(func, x_shape, out):
    """End paddings that make ONNX's floor division give Chainer's output size."""
    ends = []
    for i in range(func.ndim):
        needed = (out[i] - 1) * func.stride[i] + func.ksize[i] - x_shape[2 + i] - func.pad[i]
        ends.append(max(func.pad[i], needed))
    return ends


@support(_OPSETS)
def convert_MaxPoolingND(func, opset_version, input_names, output_names, context):
    x_shape = _util.in_shape(func)
    out = _util.out_shape(func)[2:]
    # Max pooling pads with -inf, so extra end padding reproduces cover_all exactly;
    # where none is needed, ceil_mode gives the same size (as Chainer wrote it).
    ends = _end_pads(func, x_shape, out)
    ceil = 1 if func.cover_all and ends == list(func.pad) else None
    pads = list(func.pad) + ends
    if all(p < k for p, k in zip(pads, list(func.ksize) * 2)):
        return _util.single('MaxPool', input_names[:1], output_names[:1], ceil_mode=ceil,
                            kernel_shape=list(func.ksize), strides=list(func.stride),
                            pads=pads, storage_order=0)
    # A window wholly in the padding (Chainer gives -inf there): runtimes refuse a pad
    # as large as the kernel, so the padding is a Pad node of -inf.
    gb = _util.builder(context)
    x = gb.op('Pad', [input_names[0],
                      _util.ints(context, [0, 0] + pads[:func.ndim] + [0, 0] + pads[func.ndim:],
                                 'pads'),
                      _util.const(context, -numpy.inf, _util.in_dtype(func), 'constant_value')],
              mode='constant')
    gb.op('MaxPool', [x], kernel_shape=list(func.ksize), strides=list(func.stride),
          pads=[0] * (2 * func.ndim), storage_order=0)
    return gb.nodes(output_names[:1])


convert_MaxPooling2D = convert_MaxPoolingND


@support(_OPSETS)
def convert_AveragePoolingND(func, opset_version, input_names, output_names, context):
    if func.cover_all:
        raise _util.unsupported(func, opset_version, 'cover_all=True')
    include = 0 if getattr(func, 'pad_value', 0) is None else 1
    if not include or all(p < k for p, k in zip(func.pad, func.ksize)):
        return _util.single('AveragePool', input_names, output_names,
                            kernel_shape=list(func.ksize), strides=list(func.stride),
                            pads=list(func.pad) * 2, count_include_pad=include)
    # Runtimes refuse a pad as large as the kernel: the zeros are a Pad node.
    gb = _util.builder(context)
    pads = [0, 0] + list(func.pad)
    x = gb.op('Pad', [input_names[0], _util.ints(context, pads * 2, 'pads')], mode='constant')
    gb.op('AveragePool', [x], kernel_shape=list(func.ksize), strides=list(func.stride),
          pads=[0] * (2 * func.ndim), count_include_pad=1)
    return gb.nodes(output_names)


convert_AveragePooling2D = convert_AveragePoolingND


@support(_OPSETS)
def convert_ROIPooling2D(func, opset_version, input_names, output_names, context):
    raise _util.unsupported(func, opset_version,
                            'ONNX MaxRoiPool rounds boxes differently (onnxruntime gives other '
                            'values); an external_converters entry can write it anyway')


@support(_OPSETS)
def convert_Unpooling2D(func, opset_version, input_names, output_names, context):
    x_shape = _util.in_shape(func)
    out = _util.out_shape(func)
    k = tuple(func.ksize)
    if tuple(func.stride) != k or any(func.pad) or \
            out[2:] != tuple(s * f for s, f in zip(x_shape[2:], k)):
        raise _util.unsupported(func, opset_version, 'only stride == ksize without padding')
    scales = _util.const(context, [1.0, 1.0] + [float(f) for f in k], 'float32', 'scales')
    # Resize takes an (unused) roi before opset 13.
    roi = '' if opset_version >= 13 else _util.const(context, [], 'float32', 'roi')
    return _util.single('Resize', [input_names[0], roi, scales], output_names, mode='nearest')


convert_UnpoolingND = convert_Unpooling2D
