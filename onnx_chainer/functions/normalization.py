"""Converters of chainer.functions.normalization."""
from __future__ import annotations

import numpy

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.array import get_slice_node
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_BatchNormalization', 'convert_FixedBatchNormalization',
           'convert_GroupNormalization', 'convert_LayerNormalization',
           'convert_LocalResponseNormalization',
           'convert_NormalizeL2', 'get_slice_node', 'onnx_helper', 'support']


def _check_axis(func, opset_version, ndim: int) -> None:
    axis = func.axis
    if axis is None:
        return
    if isinstance(axis, int):
        axis = (axis,)
    if tuple(sorted(a % ndim for a in axis)) != (0,) + tuple(range(2, ndim)):
        raise _util.unsupported(func, opset_version,
                                f'axis={func.axis} (ONNX normalizes per channel, axis 1)')


def _channel_params(func, gb, context, names, ndim):
    """gamma/beta/... as 1-D (C,) tensors (Chainer also accepts them with trailing axes)."""
    out = []
    for i, name in enumerate(names, start=1):
        shape = _util.in_shape(func, i)
        if len(shape) != 1:
            name = gb.op('Reshape', [name, _util.ints(context, [-1])])
        out.append(name)
    return out


@support(_OPSETS)
def convert_FixedBatchNormalization(func, opset_version, input_names, output_names, context):
    ndim = len(_util.in_shape(func))
    _check_axis(func, opset_version, ndim)
    gb = _util.builder(context)
    params = _channel_params(func, gb, context, input_names[1:], ndim)
    gb.op('BatchNormalization', [input_names[0]] + params, epsilon=float(func.eps),
          momentum=0.0)
    return gb.nodes(output_names)


def _owner_link(func, context) -> str | None:
    """The name of the link whose ``beta`` (or else ``gamma``) ``func`` takes."""
    for i in (2, 1):
        found = context.get_link(func.inputs[i].get_variable_or_none())
        if found is not None:
            return found[0]
    return None


@support(_OPSETS)
def convert_BatchNormalization(func, opset_version, input_names, output_names, context):
    # A model traced in training mode: the batch statistics of the traced call
    # become constants (ONNX inference cannot recompute them per batch the same way).
    ndim = len(_util.in_shape(func))
    _check_axis(func, opset_version, ndim)
    dt = _util.in_dtype(func)
    mean = numpy.asarray(_util.to_cpu(func.mean), dtype=dt).ravel()
    inv_std = numpy.asarray(_util.to_cpu(func.inv_std), dtype=numpy.float64).ravel()
    var = (1.0 / inv_std ** 2 - func.eps).astype(dt)
    gb = _util.builder(context)
    params = _channel_params(func, gb, context, input_names[1:3], ndim)
    # Named after the link whose gamma or beta this is (param_bn_avg_mean), as
    # Chainer did; an unowned call's are <function>_param_avg_mean.
    owner = _owner_link(func, context)
    if owner is None:
        stats = [context.add_param(mean, 'avg_mean'), context.add_param(var, 'avg_var')]
    else:
        stats = [context.add_param(mean, f'{owner}_avg_mean', use_original_name=True),
                 context.add_param(var, f'{owner}_avg_var', use_original_name=True)]
    gb.op('BatchNormalization', [input_names[0]] + params + stats,
          epsilon=float(func.eps),
          momentum=float(func.decay))
    return gb.nodes(output_names)


def _normalize_groups(func, gb, context, opset_version, x, shape, rows: tuple) -> str:
    """``x`` viewed as ``rows + (-1,)``, each group normalized with its own mean
    and variance, back in ``shape``."""
    dt = _util.in_dtype(func)
    grouped = gb.op('Reshape', [x, _util.ints(context, rows + (-1,))])
    axis = len(rows)
    mean = _util.reduce(gb, context, opset_version, 'ReduceMean', grouped, [axis], True)
    centered = gb.op('Sub', [grouped, mean])
    var = _util.reduce(gb, context, opset_version, 'ReduceMean',
                       gb.op('Mul', [centered, centered]), [axis], True)
    std = gb.op('Sqrt', [gb.op('Add', [var, _util.const(context, func.eps, dt)])])
    return gb.op('Reshape', [gb.op('Div', [centered, std]), _util.ints(context, shape)])


@support(_OPSETS)
def convert_GroupNormalization(func, opset_version, input_names, output_names, context):
    x, gamma, beta = input_names
    shape = _util.in_shape(func)
    gb = _util.builder(context)
    normed = _normalize_groups(func, gb, context, opset_version, x, shape,
                               (shape[0], int(func.groups)))
    cshape = _util.ints(context, (-1,) + (1,) * (len(shape) - 2))
    g = gb.op('Reshape', [gamma, cshape])
    b = gb.op('Reshape', [beta, cshape])
    gb.op('Add', [gb.op('Mul', [normed, g]), b])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_LayerNormalization(func, opset_version, input_names, output_names, context):
    """Each sample normalized over all its features; ``gamma`` and ``beta`` (shaped
    like a sample) broadcast over the batch axis."""
    x, gamma, beta = input_names
    shape = _util.in_shape(func)
    gb = _util.builder(context)
    normed = _normalize_groups(func, gb, context, opset_version, x, shape, (shape[0],))
    gb.op('Add', [gb.op('Mul', [normed, gamma]), beta])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_LocalResponseNormalization(func, opset_version, input_names, output_names,
                                       context):
    n = int(func.n)
    # Chainer scales the window sum by alpha; ONNX by alpha / size.
    return _util.single('LRN', input_names, output_names, size=n,
                        alpha=float(func.alpha) * n, beta=float(func.beta), bias=float(func.k))


@support(_OPSETS)
def convert_NormalizeL2(func, opset_version, input_names, output_names, context):
    dt = _util.in_dtype(func)
    axes = [int(a) for a in func.axis]
    gb = _util.builder(context)
    norm = _util.reduce(gb, context, opset_version, 'ReduceL2', input_names[0], axes, True)
    gb.op('Div', [input_names[0], gb.op('Add', [norm, _util.const(context, func.eps, dt)])])
    return gb.nodes(output_names)
