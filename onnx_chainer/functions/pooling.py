"""Converters of chainer.functions.pooling."""
from __future__ import annotations

import numpy

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.array import get_slice_node
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


def _storage_order(opset_version):
    """MaxPool's storage_order (row major), an attribute from opset 8."""
    return 0 if opset_version >= 8 else None


@support(_OPSETS)
def convert_MaxPoolingND(func, opset_version, input_names, output_names, context):
    x_shape = _util.in_shape(func)
    out = _util.out_shape(func)[2:]
    # cover_all is ceil_mode, as Chainer wrote it, where every last window starts
    # before the end padding (runtimes drop one starting in it, Chainer does not);
    # otherwise extra end padding of -inf reproduces it exactly.
    starts_inside = all((out[i] - 1) * func.stride[i] < x_shape[2 + i] + func.pad[i]
                        for i in range(func.ndim))
    if func.cover_all and starts_inside and opset_version >= 10:  # ceil_mode from 10
        ceil, ends = 1, list(func.pad)
    else:
        ceil, ends = None, _end_pads(func, x_shape, out)
    pads = list(func.pad) + ends
    if all(p < k for p, k in zip(pads, list(func.ksize) * 2)):
        return _util.single('MaxPool', input_names[:1], output_names[:1], ceil_mode=ceil,
                            kernel_shape=list(func.ksize), strides=list(func.stride),
                            pads=pads, storage_order=_storage_order(opset_version))
    # A window wholly in the padding (Chainer gives -inf there): runtimes refuse a pad
    # as large as the kernel, so the padding is a Pad node of -inf.
    gb = _util.builder(context)
    x = gb.op('Pad', [input_names[0],
                      _util.ints(context, [0, 0] + pads[:func.ndim] + [0, 0] + pads[func.ndim:],
                                 'pads'),
                      _util.const(context, -numpy.inf, _util.in_dtype(func), 'constant_value')],
              mode='constant')
    gb.op('MaxPool', [x], kernel_shape=list(func.ksize), strides=list(func.stride),
          pads=[0] * (2 * func.ndim), storage_order=_storage_order(opset_version))
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
    # Runtimes refuse a pad as large as the kernel, and onnxruntime before 1.32 folds a
    # zero Pad node before the pool back into its pads: the windows wholly in the padding
    # (zeros) are padded onto the output instead, and the pool pads less than a kernel.
    outs = _util.out_shape(func)[2:]
    spans = _average_spans(func, _util.in_shape(func)[2:], outs)
    gb = _util.builder(context)
    x = input_names[0]
    if spans is None:  # every window of some axis lies wholly in the padding: all zeros
        lead = gb.op('Slice', [gb.op('Shape', [x]), _util.ints(context, [0]),
                               _util.ints(context, [2]), _util.ints(context, [0])])
        shape = gb.op('Concat', [lead, _util.ints(context, outs)], axis=0)
        gb.op('Cast', [gb.op('ConstantOfShape', [shape])],
              to=_util.tensor_type(_util.in_dtype(func)))
        return gb.nodes(output_names)
    starts, ends, pool_pads, out_pads = spans
    sizes = _util.in_shape(func)[2:]
    if any(b > 0 for b in starts) or any(e < n for e, n in zip(ends, sizes)):
        x = gb.op('Slice', [x, _util.ints(context, starts, 'starts'),
                            _util.ints(context, ends, 'ends'),
                            _util.ints(context, range(2, 2 + func.ndim), 'axes')])
    x = gb.op('AveragePool', [x], kernel_shape=list(func.ksize), strides=list(func.stride),
              pads=pool_pads, count_include_pad=1)
    gb.op('Pad', [x, _util.ints(context, out_pads, 'pads')], mode='constant')
    return gb.nodes(output_names)


def _average_spans(func, sizes, outs):
    """Per axis, the input span the windows not wholly in the padding read, the pool pads
    (each less than the kernel) that give those windows, and the zero output windows
    before and after them; None where some axis has no such window."""
    starts, ends, lo, hi, before, after = [], [], [], [], [], []
    for n, k, s, p, out in zip(sizes, func.ksize, func.stride, func.pad, outs):
        first = max(0, -(-(p - k + 1) // s))
        last = min(out - 1, (n - 1 + p) // s)
        if first > last:
            return None
        begin, end = first * s - p, last * s - p + k - 1
        starts.append(max(begin, 0))
        ends.append(min(end, n - 1) + 1)
        lo.append(max(-begin, 0))
        hi.append(max(end - (n - 1), 0))
        before.append(first)
        after.append(out - 1 - last)
    return starts, ends, lo + hi, [0, 0] + before + [0, 0] + after


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
    pad = tuple(int(p) for p in func.pad)
    full = tuple(s * f for s, f in zip(x_shape[2:], k))
    # The output is each value repeated in a k x k block, then the window
    # [pad, pad + outsize) of that (cover_all and outsize make it smaller).
    if tuple(func.stride) != k or any(p + o > n for p, o, n in zip(pad, out[2:], full)):
        raise _util.unsupported(func, opset_version,
                                'only stride == ksize and an output within the repeated input')
    scales = _util.const(context, [1.0, 1.0] + [float(f) for f in k], 'float32', 'scales')
    # Resize takes an (unused) roi before opset 13.
    roi = '' if opset_version >= 13 else _util.const(context, [], 'float64', 'roi')  # Chainer's
    if out[2:] == full:
        return _util.single('Resize', [input_names[0], roi, scales], output_names,
                            mode='nearest')
    gb = _util.builder(context)
    y = gb.op('Resize', [input_names[0], roi, scales], mode='nearest')
    axes = list(range(2, len(x_shape)))
    get_slice_node(gb, opset_version, context, [y], axes, list(pad),
                   [p + o for p, o in zip(pad, out[2:])], [1] * len(axes))
    return gb.nodes(output_names)


convert_UnpoolingND = convert_Unpooling2D
