"""Converters of chainer.functions.array (shape and layout manipulation)."""
from __future__ import annotations

import numpy

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = [
    'TENSOR_TYPE_TO_NAME', 'convert_Broadcast', 'convert_Cast', 'convert_Concat',
    'convert_Copy', 'convert_Depth2Space', 'convert_Dstack', 'convert_ExpandDims',
    'convert_GetItem', 'convert_Hstack', 'convert_Moveaxis', 'convert_Pad', 'convert_Permutate',
    'convert_Repeat', 'convert_Reshape', 'convert_ResizeImages', 'convert_Rollaxis',
    'convert_SelectItem', 'convert_Separate', 'convert_Shape', 'convert_Space2Depth',
    'convert_SplitAxis', 'convert_Squeeze', 'convert_Stack', 'convert_Swapaxes', 'convert_Tile',
    'convert_Transpose', 'convert_TransposeSequence', 'convert_Vstack', 'convert_Where',
    'convert_Flip', 'convert_FlipLR', 'convert_FlipUD',
    'get_slice_node', 'onnx_helper', 'support']


#: ONNX TensorProto data type numbers and their names.
TENSOR_TYPE_TO_NAME = {
    0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32',
    7: 'INT64', 8: 'STRING', 9: 'BOOL', 10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32',
    13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
}


@support(_OPSETS)
def convert_Cast(func, opset_version, input_names, output_names, context):
    return _util.single('Cast', input_names, output_names, to=_util.tensor_type(func.type))


@support(_OPSETS)
def convert_Concat(func, opset_version, input_names, output_names, context):
    return _util.single('Concat', input_names, output_names, axis=int(func.axis))


@support(_OPSETS)
def convert_Copy(func, opset_version, input_names, output_names, context):
    return _util.single('Identity', input_names, output_names)


@support(_OPSETS)
def convert_Depth2Space(func, opset_version, input_names, output_names, context):
    # The default mode, DCR, is Chainer's order; Chainer wrote no mode.
    return _util.single('DepthToSpace', input_names, output_names, blocksize=int(func.r))


@support(_OPSETS)
def convert_Space2Depth(func, opset_version, input_names, output_names, context):
    return _util.single('SpaceToDepth', input_names, output_names, blocksize=int(func.r))


#: The axes numpy.atleast_<k>d adds to an input of each rank (Hstack/Vstack/Dstack).
_PROMOTED_AXES = {
    'Hstack': {0: [0]},
    'Vstack': {0: [0, 1], 1: [0]},
    'Dstack': {0: [0, 1, 2], 1: [0, 2], 2: [2]},
}


def _stack_like(func, input_names, output_names, context):
    gb = _util.builder(context)
    ndim = len(_util.in_shape(func, 0))
    added = _PROMOTED_AXES[type(func).__name__]
    ins = []
    for i, name in enumerate(input_names):
        axes = added.get(len(_util.in_shape(func, i)))
        if axes:
            name = gb.op('Unsqueeze', [name, _util.ints(context, axes)])  # as Chainer wrote it
        ins.append(name)
    gb.op('Concat', ins, axis=int(func._axis(ndim)))
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Hstack(func, opset_version, input_names, output_names, context):
    return _stack_like(func, input_names, output_names, context)


convert_Vstack = convert_Hstack
convert_Dstack = convert_Hstack


@support(_OPSETS)
def convert_ExpandDims(func, opset_version, input_names, output_names, context):
    axis = int(func.axis) % (len(_util.in_shape(func)) + 1)
    return _util.single('Unsqueeze', [input_names[0], _util.ints(context, [axis])],
                        output_names)


def _perm_transpose(perm, input_names, output_names):
    return _util.single('Transpose', input_names, output_names, perm=[int(p) for p in perm])


@support(_OPSETS)
def convert_Transpose(func, opset_version, input_names, output_names, context):
    ndim = len(_util.in_shape(func))
    if func.axes is None:
        # ONNX's default perm reverses the axes; Chainer wrote none.
        return _util.single('Transpose', input_names, output_names)
    return _perm_transpose([int(a) % ndim for a in func.axes], input_names, output_names)


@support(_OPSETS)
def convert_Swapaxes(func, opset_version, input_names, output_names, context):
    ndim = len(_util.in_shape(func))
    perm = list(range(ndim))
    a, b = func.axis1 % ndim, func.axis2 % ndim
    perm[a], perm[b] = perm[b], perm[a]
    return _perm_transpose(perm, input_names, output_names)


@support(_OPSETS)
def convert_Moveaxis(func, opset_version, input_names, output_names, context):
    return _perm_transpose(func._perm, input_names, output_names)


convert_Rollaxis = convert_Moveaxis


@support(_OPSETS)
def convert_Reshape(func, opset_version, input_names, output_names, context):
    # The shape as given (a -1 stays), as Chainer wrote it; ONNX reads a 0 as "keep
    # the input's size", so a shape with zeros is written as traced.
    if not hasattr(func, 'shape'):
        # A function exported with as_funcnode('Reshape') takes the shape as its
        # second input, as ONNX's Reshape does.
        if len(input_names) != 2:
            raise ValueError('Reshape needs its shape as a parameter or as its second input')
        return _util.single('Reshape', input_names, output_names)
    shape = tuple(func.shape)
    if 0 in shape:
        return _util.to_out_shape('Reshape', func, input_names, output_names, context)
    return _util.single('Reshape', [input_names[0], _util.ints(context, shape, 'shape')],
                        output_names)


@support(_OPSETS)
def convert_Squeeze(func, opset_version, input_names, output_names, context):
    shape = _util.in_shape(func)
    if func.axis is None:
        axes = [i for i, s in enumerate(shape) if s == 1]
    else:  # negative axes from opset 11
        axes = [int(a) % len(shape) if opset_version < 11 else int(a) for a in func.axis]
    return _util.single('Squeeze', [input_names[0], _util.ints(context, axes)], output_names)


@support(_OPSETS)
def convert_SplitAxis(func, opset_version, input_names, output_names, context):
    shape = _util.in_shape(func)
    sizes = [s[func.axis % len(shape)] for s in func._shapes]
    return _util.single('Split', [input_names[0], _util.ints(context, sizes)], output_names,
                        axis=int(func.axis))


@support(_OPSETS)
def convert_Separate(func, opset_version, input_names, output_names, context):
    shape = _util.in_shape(func)
    axis = int(func.axis) % len(shape) if opset_version < 11 else int(func.axis)
    n = shape[axis]
    gb = _util.builder(context)
    axes = _util.ints(context, [axis])  # negative axes from opset 11
    # Equal parts: Split needs no sizes (but its num_outputs from opset 18, where the
    # sizes are kept instead), as Chainer wrote it.
    ins = [input_names[0]]
    if opset_version >= 18:
        ins.append(_util.ints(context, [1] * n))
    parts = gb.op('Split', ins, num_outputs=n, axis=axis)
    if n == 1:
        parts = (parts,)
    for part, out in zip(parts, output_names):
        gb.op_output_named('Squeeze', [part, axes], [out])
    return gb.nodes()


@support(_OPSETS)
def convert_Stack(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    axis = int(func.axis) % (len(_util.in_shape(func)) + 1)
    axes = _util.ints(context, [axis])
    parts = [gb.op('Unsqueeze', [name, axes]) for name in input_names]
    gb.op('Concat', parts, axis=axis)
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Tile(func, opset_version, input_names, output_names, context):
    shape = _util.in_shape(func)
    reps = tuple(func.reps)
    gb = _util.builder(context)
    x = input_names[0]
    if len(reps) > len(shape):
        shape = (1,) * (len(reps) - len(shape)) + shape
        x = gb.op('Reshape', [x, _util.ints(context, shape)])
    reps = (1,) * (len(shape) - len(reps)) + reps
    gb.op('Tile', [x, _util.ints(context, reps, 'tiles')])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Where(func, opset_version, input_names, output_names, context):
    return _util.single('Where', [_util.held_array(context, func.condition)] + list(input_names),
                        output_names)


@support(_OPSETS)
def convert_Broadcast(func, opset_version, input_names, output_names, context):
    shape = _util.ints(context, _util.out_shape(func), 'shape')
    gb = _util.builder(context)
    for name, out in zip(input_names, output_names):
        gb.op_output_named('Expand', [name, shape], [out])
    return gb.nodes()


@support(_OPSETS)
def convert_Pad(func, opset_version, input_names, output_names, context):
    if func.mode not in ('constant', 'reflect', 'edge'):
        raise _util.unsupported(func, opset_version,
                                f'mode {func.mode!r} (only constant, reflect and edge)')
    shape = _util.in_shape(func)
    widths = func._widths(len(shape))
    pads = [int(w) for w in widths[:, 0]] + [int(w) for w in widths[:, 1]]
    if func.mode != 'constant':
        if func.mode == 'reflect' and any(int(w) >= n for n, ws in zip(shape, widths)
                                          for w in ws):
            # NumPy reflects again and again; ONNX reflects once.
            raise _util.unsupported(func, opset_version,
                                    "mode 'reflect' with a pad as wide as its axis")
        return _util.single('Pad', [input_names[0], _util.ints(context, pads, 'pads')],
                            output_names, mode=func.mode)
    value = func.keywords.get('constant_values', 0)
    if numpy.ndim(value) != 0:
        raise _util.unsupported(func, opset_version, 'per-axis constant_values')
    ins = [input_names[0], _util.ints(context, pads, 'pads')]
    if 'constant_values' in func.keywords:
        # Without the keyword the value is Pad's default 0, and Chainer wrote no input.
        ins.append(_util.const(context, value, _util.in_dtype(func), 'constant_value'))
    return _util.single('Pad', ins, output_names,
                        mode='constant')


@support(_OPSETS)
def convert_Permutate(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    if func.inv and opset_version < 9:  # no Scatter yet: the argsort, held
        indices = _util.held_array(context, numpy.argsort(_util.to_cpu(func.indices)))
    else:
        indices = _util.held_array(context, func.indices)
        if func.inv:
            # argsort of a permutation: scatter positions to their indices
            n = len(func.indices)
            positions = _util.ints(context, range(n))
            zeros = _util.ints(context, [0] * n)
            indices = gb.op('ScatterElements' if opset_version >= 11 else 'Scatter',
                            [zeros, gb.op('Cast', [indices], to=7), positions], axis=0)
    gb.op('Gather', [input_names[0], indices], axis=int(func.axis))
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Repeat(func, opset_version, input_names, output_names, context):
    shape = _util.in_shape(func)
    repeats = func.repeats
    if len(repeats) != 1:
        raise _util.unsupported(func, opset_version, 'one repeat count per element')
    r = int(repeats[0])
    gb = _util.builder(context)
    x = input_names[0]
    if func.axis is None:
        x = gb.op('Reshape', [x, _util.ints(context, [-1], 'shape')])
        shape = (int(numpy.prod(shape)),)
        axis = 0
    else:
        axis = func.axis % len(shape)
    # insert a new axis after ``axis``, tile it r times, merge it back
    u = gb.op('Unsqueeze', [x, _util.ints(context, [axis + 1])])
    reps = [1] * (len(shape) + 1)
    reps[axis + 1] = r
    t = gb.op('Tile', [u, _util.ints(context, reps)])
    gb.op('Reshape', [t, _util.ints(context, _util.out_shape(func))])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_ResizeImages(func, opset_version, input_names, output_names, context):
    # The resize is separable: y = Mh @ x @ Mw^T with the interpolation matrices.
    dt = _util.in_dtype(func)
    mh = _util.const(context, _util.to_cpu(func._mh), dt)
    mwt = _util.const(context, _util.to_cpu(func._mw).T, dt)
    gb = _util.builder(context)
    gb.op('MatMul', [mh, gb.op('MatMul', [input_names[0], mwt])])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_SelectItem(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    t = input_names[1]
    if opset_version < 11:
        # No GatherElements yet: the flattened x at t + row * columns.
        n, c = _util.in_shape(func)
        flat = gb.op('Reshape', [input_names[0], _util.ints(context, [-1], 'shape')])
        rows = _util.ints(context, range(0, n * c, c), 'offsets')
        gb.op('Gather', [flat, gb.op('Add', [gb.op('Cast', [t], to=7), rows])], axis=0)
        return gb.nodes(output_names)
    axes = _util.ints(context, [1])
    if _util.in_dtype(func, 1) not in (numpy.int32, numpy.int64):
        t = gb.op('Cast', [t], to=7)  # GatherElements takes int32 or int64 indices
    t = gb.op('Unsqueeze', [t, axes])
    g = gb.op('GatherElements', [input_names[0], t], axis=1)
    gb.op('Squeeze', [g, axes])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Shape(func, opset_version, input_names, output_names, context):
    return _util.single('Shape', input_names, output_names)


@support(_OPSETS)
def convert_TransposeSequence(func, opset_version, input_names, output_names, context):
    lengths = [_util.in_shape(func, i)[0] for i in range(len(input_names))]
    if len(set(lengths)) != 1:
        raise _util.unsupported(func, opset_version, 'sequences of different lengths')
    gb = _util.builder(context)
    axes0 = _util.ints(context, [0])
    stacked = gb.op('Concat', [gb.op('Unsqueeze', [n, axes0]) for n in input_names], axis=0)
    n_out = len(output_names)
    if n_out == 1:
        gb.op_output_named('Squeeze', [gb.op('Transpose', [stacked], perm=_swap01(func)),
                                       axes0], output_names)
        return gb.nodes()
    parts = gb.op('Split', [stacked, _util.ints(context, [1] * n_out)], num_outputs=n_out,
                  axis=1)
    axes1 = _util.ints(context, [1])
    for part, out in zip(parts, output_names):
        gb.op_output_named('Squeeze', [part, axes1], [out])
    return gb.nodes()


def _swap01(func):
    ndim = len(_util.in_shape(func, 0)) + 1
    return [1, 0] + list(range(2, ndim))


def get_slice_node(gb, opset_version, context, input_names, axes, starts, ends, steps):
    """Adds a Slice node taking ``starts/ends/axes/steps`` as constant inputs."""
    return gb.op('Slice', [input_names[0], _util.ints(context, starts, 'starts'),
                           _util.ints(context, ends, 'ends'), _util.ints(context, axes, 'axes'),
                           _util.ints(context, steps, 'steps')])


_INT64_MAX = 2 ** 63 - 1


def _slice_bounds(s: slice, dim: int) -> tuple:
    """Slice inputs as Chainer wrote them: the given bounds (ONNX counts negative ones
    from the end, as Python) and, for an open end, the largest int64 in its direction.

    A backward slice starting before the axis (``x[-10::-1]`` of 3 values) is empty in
    Python, where ONNX would clamp its start to 0: it is written as ``0:0``."""
    step = 1 if s.step is None else int(s.step)
    if step < 0 and s.start is not None and int(s.start) < -dim:
        return 0, 0, step
    start = s.start if s.start is not None else (0 if step > 0 else _INT64_MAX)
    stop = s.stop if s.stop is not None else (_INT64_MAX if step > 0 else -_INT64_MAX - 1)
    return int(start), int(stop), step


def _advanced_adjacent(slices) -> bool:
    """Whether the integer and array indices of ``slices`` (Ellipsis expanded) are
    next to each other."""
    where = [i for i, s in enumerate(slices) if s is not None and not isinstance(s, slice)]
    return where[-1] - where[0] + 1 == len(where)


def _get_item_index(s):
    """An index of ``GetItem.slices`` for the converter: an int for ints and 0-d integer
    arrays, a NumPy array for other integer arrays and lists, else as it is."""
    if isinstance(s, (bool, numpy.bool_)):
        return None, 'boolean indices'
    if isinstance(s, (int, numpy.integer)):
        return int(s), None
    if s is None or s is Ellipsis or isinstance(s, slice):
        return s, None
    arr = numpy.asarray(_util.to_cpu(s))
    if arr.dtype.kind not in 'iu':
        return None, 'boolean masks' if arr.dtype.kind == 'b' else f'{arr.dtype} indices'
    return (int(arr) if arr.ndim == 0 else arr), None


@support(_OPSETS)
def convert_GetItem(func, opset_version, input_names, output_names, context):
    """Slice, Squeeze (integer indices), Unsqueeze (None), then Gather for one integer
    array or GatherND for several side by side that index the leading axes, as
    Chainer wrote them; NumPy's order of the axes is kept (a Transpose where the
    array's axes go first)."""
    shape = list(_util.in_shape(func))
    slices = []
    for s in func.slices:
        index, why = _get_item_index(s)
        if why is not None:
            raise _util.unsupported(func, opset_version, f'indexing by {why}')
        slices.append(index)
    n_real = sum(1 for s in slices if s is not None and s is not Ellipsis)
    ellipses = [i for i, s in enumerate(slices) if s is Ellipsis]
    if ellipses:
        i = ellipses[0]
        slices[i:i + 1] = [slice(None)] * (len(shape) - n_real)
    gb = _util.builder(context)
    x = input_names[0]
    axes, starts, ends, steps, squeeze, unsqueeze = [], [], [], [], [], []
    arrays = []  # (position in slices, axis after Squeeze/Unsqueeze, array)
    axis = 0  # axis of x
    out_axis = 0  # axis after Squeeze and Unsqueeze
    for i, s in enumerate(slices):
        if s is None:
            unsqueeze.append(out_axis)
            out_axis += 1
            continue
        if isinstance(s, slice):
            if (s.start, s.stop, s.step) != (None, None, None):
                start, stop, step = _slice_bounds(s, shape[axis])
                axes.append(axis)
                starts.append(start)
                ends.append(stop)
                steps.append(step)
            out_axis += 1
        elif isinstance(s, int):
            axes.append(axis)
            starts.append(s)
            ends.append(_INT64_MAX if s == -1 else s + 1)
            steps.append(1)
            squeeze.append(axis)
        else:
            arrays.append((i, out_axis, s % shape[axis] if shape[axis] else s))
            out_axis += 1
        axis += 1
    if len(arrays) > 1 and (arrays[0][1] != 0 or
                            arrays[-1][0] - arrays[0][0] + 1 != len(arrays)):
        raise _util.unsupported(
            func, opset_version, 'integer arrays that are not side by side or come after '
            'a slice or None (GatherND indexes the leading axes)')
    if axes:
        x = get_slice_node(gb, opset_version, context, [x], axes, starts, ends, steps)
    if squeeze:
        x = gb.op('Squeeze', [x, _util.ints(context, squeeze)])
    if unsqueeze:
        x = gb.op('Unsqueeze', [x, _util.ints(context, unsqueeze)])
    if len(arrays) > 1:
        indices = numpy.stack(numpy.broadcast_arrays(*[a for _, _, a in arrays]), axis=-1)
        x = gb.op('GatherND', [x, _util.ints(context, indices.astype(numpy.int64),
                                              'indices')])
    elif arrays:
        _, at, arr = arrays[0]
        x = gb.op('Gather', [x, _util.ints(context, arr.astype(numpy.int64), 'indices')],
                  axis=at)
        if at and not _advanced_adjacent(slices):
            # NumPy puts the axes of indices split from another index by a slice or
            # None first (x[1, :, [0, 2]])
            n_out = len(_util.out_shape(func))
            moved = list(range(at, at + arr.ndim))
            x = gb.op('Transpose', [x],
                      perm=moved + [i for i in range(n_out) if i not in moved])
    if not gb.nodes():
        x = gb.op('Identity', [x])
    return gb.nodes(output_names)


def _flip(func, opset_version, input_names, output_names, context, axis):
    gb = _util.builder(context)
    get_slice_node(gb, opset_version, context, input_names, [axis], [-1], [-(2 ** 62)], [-1])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Flip(func, opset_version, input_names, output_names, context):
    return _flip(func, opset_version, input_names, output_names, context, func.axis)


@support(_OPSETS)
def convert_FlipLR(func, opset_version, input_names, output_names, context):
    return _flip(func, opset_version, input_names, output_names, context, 1)


@support(_OPSETS)
def convert_FlipUD(func, opset_version, input_names, output_names, context):
    return _flip(func, opset_version, input_names, output_names, context, 0)
