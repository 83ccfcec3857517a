"""Converters of chainer.functions.connection."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_Convolution2DFunction', 'convert_ConvolutionND',
           'convert_Deconvolution2DFunction', 'convert_DeconvolutionND',
           'convert_EmbedIDFunction', 'convert_LinearFunction', 'onnx_helper', 'support']


@support(_OPSETS)
def convert_ConvolutionND(func, opset_version, input_names, output_names, context):
    x_shape = _util.in_shape(func, 0)
    k = _util.in_shape(func, 1)[2:]
    pads_end = list(func.pad)
    if func.cover_all:
        # Chainer's cover_all adds output pixels; extra zero padding at the end does it.
        out = _util.out_shape(func)[2:]
        for i in range(func.ndim):
            dk = (k[i] - 1) * func.dilate[i] + 1
            needed = (out[i] - 1) * func.stride[i] + dk - x_shape[2 + i] - 2 * func.pad[i]
            pads_end[i] = func.pad[i] + max(0, needed)
    return _util.single('Conv', input_names, output_names, kernel_shape=list(k),
                        strides=list(func.stride), pads=list(func.pad) + pads_end,
                        dilations=_dilations(func), group=int(func.groups))


convert_Convolution2DFunction = convert_ConvolutionND


def _dilations(func):
    """As Chainer wrote them: always for Convolution2DFunction, otherwise left out
    (ONNX's default) where every dilation is 1."""
    if type(func).__name__ == 'Convolution2DFunction' or any(d != 1 for d in func.dilate):
        return list(func.dilate)
    return None


@support(_OPSETS)
def convert_DeconvolutionND(func, opset_version, input_names, output_names, context):
    x_shape = _util.in_shape(func, 0)
    k = _util.in_shape(func, 1)[2:]
    out = _util.out_shape(func)[2:]
    # An outsize larger than the default adds output_padding; a smaller one (Chainer
    # crops the end) adds end padding. Otherwise output_shape, as Chainer wrote it,
    # unless there are pads too (ONNX's shape inference then fails; pads suffice).
    output_padding, pads_end = [], []
    for i in range(func.ndim):
        dk = (k[i] - 1) * func.dilate[i] + 1
        default = func.stride[i] * (x_shape[2 + i] - 1) + dk - 2 * func.pad[i]
        output_padding.append(max(0, out[i] - default))
        pads_end.append(func.pad[i] + max(0, default - out[i]))
    extra = output_padding if any(output_padding) else None
    exact = extra is None and pads_end == list(func.pad) and not any(func.pad)
    return _util.single('ConvTranspose', input_names, output_names, kernel_shape=list(k),
                        strides=list(func.stride), pads=list(func.pad) + pads_end,
                        dilations=_dilations(func), group=int(func.groups),
                        output_padding=extra, output_shape=list(out) if exact else None)


convert_Deconvolution2DFunction = convert_DeconvolutionND


@support(_OPSETS)
def convert_EmbedIDFunction(func, opset_version, input_names, output_names, context):
    x, w = input_names
    if func.ignore_label is None:
        return _util.single('Gather', [w, x], output_names, axis=0)
    gb = _util.builder(context)
    x_dtype = _util.in_dtype(func, 0)
    ignore = _util.const(context, func.ignore_label, x_dtype)
    keep = gb.op('Not', [gb.op('Equal', [x, ignore])])
    zero = _util.const(context, 0, x_dtype)
    if opset_version >= 9:
        safe = gb.op('Where', [keep, x, zero])
    else:  # no Where yet: the kept labels times 1, the ignored times 0
        safe = gb.op('Mul', [x, gb.op('Cast', [keep], to=_util.tensor_type(x_dtype))])
    rows = gb.op('Gather', [w, safe], axis=0)
    last = _util.ints(context, [len(_util.in_shape(func))])  # not -1: that needs opset 11
    mask = gb.op('Cast', [gb.op('Unsqueeze', [keep, last])],
                 to=_util.tensor_type(_util.in_dtype(func, 1)))
    gb.op('Mul', [rows, mask])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_LinearFunction(func, opset_version, input_names, output_names, context):
    x_shape = _util.in_shape(func, 0)
    w_shape = _util.in_shape(func, 1)
    gb = _util.builder(context)
    x = input_names[0]
    if len(x_shape) != 2:
        x = gb.op('Reshape', [x, _util.ints(context, (-1, w_shape[1]))])
    c = list(input_names[2:]) or \
        _util.gemm_c(context, opset_version, w_shape[0], _util.in_dtype(func, 1))
    gb.op('Gemm', [x, input_names[1]] + c, alpha=1.0, beta=1.0, transA=0, transB=1)
    out = _util.out_shape(func)
    if len(out) != 2:
        gb.op('Reshape', [gb.nodes()[-1].output[0], _util.ints(context, out)])
    return gb.nodes(output_names)
