"""The common part of N-dimensional pooling: arguments, type checks and the
window array kernels shared by max/average pooling, unpooling and upsampling.

Every kernel loops over the (small) window offsets only and works on whole
arrays per offset, so NumPy and CuPy can run the same code; on CuPy each one is
instead a single fused kernel (see ``_USE_FUSED_GPU_KERNELS``).
"""
from __future__ import annotations

import itertools
import sys
from typing import Optional, Sequence

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import _window_kernels
from chainer.utils import array as array_utils
from chainer.utils import conv
from chainer.utils import conv_nd
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError


#: On CuPy, run every window kernel below as one fused CUDA kernel
#: (``chainer.utils._window_kernels``) instead of one or more launches per window
#: offset.  ``False`` makes CuPy run the NumPy code path as well.
_USE_FUSED_GPU_KERNELS = True


def _fused(xp) -> bool:
    """Whether to run the fused CUDA kernels for arrays of module ``xp``."""
    return _USE_FUSED_GPU_KERNELS and xp is not numpy


def _fused_indexes(indexes, xp) -> bool:
    """Whether the fused kernels take these window offsets (int32 arrays of ``xp``;
    others, e.g. user-given int64 ones, take the generic path)."""
    return indexes.dtype == numpy.int32 and backend.get_array_module(indexes) is xp


def _offsets(ksize):
    return itertools.product(*(range(k) for k in ksize))


def _window(kidx, stride, out_dims) -> tuple:
    """The slice of the padded image that window offset ``kidx`` reads for all outputs."""
    return (slice(None), slice(None)) + tuple(
        slice(j, j + s * (o - 1) + 1, s) for j, s, o in zip(kidx, stride, out_dims))


def _padded_shape(x_shape, ksize, stride, pad, out_dims) -> tuple:
    dims = x_shape[2:]
    return tuple(x_shape[:2]) + tuple(
        max(d + 2 * p, (o - 1) * s + k) for d, k, s, p, o in
        zip(dims, ksize, stride, pad, out_dims))


def _pad(x, ksize, stride, pad, out_dims, value):
    xp = backend.get_array_module(x)
    full = _padded_shape(x.shape, ksize, stride, pad, out_dims)
    widths = [(0, 0), (0, 0)] + [(p, f - d - p) for d, p, f in
                                 zip(x.shape[2:], pad, full[2:])]
    if all(w == (0, 0) for w in widths):
        return x
    return xp.pad(x, widths, mode='constant', constant_values=value)


def _crop(img, pad, in_dims):
    return img[(slice(None), slice(None)) + tuple(
        slice(p, p + d) for p, d in zip(pad, in_dims))]


def _max_views(x, ksize, stride, pad, out_dims) -> list:
    """The views of ``x`` padded with ``-inf``, one per window offset in window order."""
    xpad = _pad(x, ksize, stride, pad, out_dims, -float('inf'))
    return [xpad[_window(kidx, stride, out_dims)] for kidx in _offsets(ksize)]


def window_max(x, ksize, stride, pad, out_dims):
    """``(y, indexes)``: the maximum of every window and the flat window offset of it
    (the first one on ties); padding never wins over an image pixel."""
    xp = backend.get_array_module(x)
    if _fused(xp):
        return _window_kernels.max_pool(x, ksize, stride, pad, out_dims)
    if (xp is numpy and array_utils.size_of_shape(ksize) <= 255 and sum(k > 1 for k in ksize) > 1
            and _separable_pays(ksize, stride)):
        return _separable_max(x, ksize, stride, pad, out_dims)
    views = _max_views(x, ksize, stride, pad, out_dims)
    y = views[0].copy()
    if xp is numpy and len(views) <= 255:
        # One sweep: an offset whose entry beats the maximum so far (strictly, so
        # the first one wins ties) becomes the index, by arithmetic on one byte
        # per output (a select runs branch by branch).
        idx = numpy.zeros(y.shape, numpy.uint8)
        for k, v in enumerate(views[1:], 1):
            better = v > y
            numpy.maximum(y, v, out=y)
            step = numpy.subtract(numpy.uint8(k), idx)  # wraps around; k - idx mod 256
            step *= better
            idx += step
        return y, _first_nan(views, y, idx.astype(numpy.int32))
    for v in views[1:]:
        xp.maximum(y, v, out=y)
    # Walking the offsets backwards leaves the first one that attains the maximum.
    idx = xp.full(y.shape, len(views) - 1, dtype=numpy.int32)
    for k in range(len(views) - 2, -1, -1):
        idx = xp.where(views[k] == y, numpy.int32(k), idx)
    return y, _first_nan(views, y, idx)


def _separable_pays(ksize, stride) -> bool:
    """(NumPy) Whether :func:`_separable_max` beats the offset-by-offset sweep of
    :func:`window_max` (measured on one core) for windows over two or more axes: when
    they overlap along some axis (1.2 to 4 times faster); windows that tile the image
    gain little, and on small images (8x8, 2x2 windows) lose."""
    return any(s < k for k, s in zip(ksize, stride))


def _separable_max(x, ksize, stride, pad, out_dims):
    """(NumPy) :func:`window_max` (windows of at most 255 offsets, so that one byte holds
    the offset) one axis at a time from the last: the maximum of a window is the
    maximum over its first axis of the maxima of its rows.  Each pass keeps the first
    (strictly beaten) maximum and its flat offset so far, so the chosen offset is the
    first maximum in window order and ``y`` is bit for bit the value that the
    offset-by-offset sweep gives (``numpy.maximum`` keeps the first NaN and, on equal
    values, the later operand, in either order of axes).  Padding is not copied in: a
    pass starts its outputs whose first entry is padding at ``-inf`` and offset 0, and
    leaves out the padding entries of later offsets (which never beat, nor change the
    bits of, the maximum so far).  Fewer entries are compared and the outer passes read
    whole rows."""
    a, idx = x, None
    scale = 1  # the flat offset step of the axis being reduced
    for d in range(len(ksize) - 1, -1, -1):
        k, s, p, o = ksize[d], stride[d], pad[d], out_dims[d]
        n_in = a.shape[2 + d]
        lead = (slice(None),) * (2 + d)

        def rows(j, lead=lead, s=s, p=p, o=o, n_in=n_in):
            """(outputs, inputs): the slices of the outputs whose offset ``j`` is in the
            image, and of those entries, along this axis."""
            lo = max(0, -((j - p) // s))
            hi = min(o, (n_in - 1 - j + p) // s + 1)
            start = lo * s + j - p
            return (lead + (slice(lo, max(lo, hi)),),
                    lead + (slice(start, start + s * (hi - lo - 1) + 1, s),), hi > lo)

        out_sl, in_sl, any_in = rows(0)
        shape = a.shape[:2 + d] + (o,) + a.shape[3 + d:]
        if out_sl[-1] == slice(0, o):
            y = a[in_sl].copy()
            best = (numpy.zeros(shape, numpy.uint8) if idx is None
                    else numpy.array(idx[in_sl]) if k > 1 else idx[in_sl])
        else:
            y = numpy.full(shape, -numpy.inf, a.dtype)
            best = numpy.zeros(shape, numpy.uint8)
            if any_in:
                y[out_sl] = a[in_sl]
                if idx is not None:
                    best[out_sl] = idx[in_sl]
        for j in range(1, k):
            out_sl, in_sl, any_in = rows(j)
            if not any_in:
                continue
            v = a[in_sl]
            ys, bs = y[out_sl], best[out_sl]
            better = v > ys
            numpy.maximum(ys, v, out=ys)
            # best += (offset_j - best) * better, on one byte (wrapping) per entry
            if idx is None:
                step = numpy.subtract(numpy.uint8(j), bs)
            else:
                step = numpy.add(idx[in_sl], numpy.uint8(j * scale))
                step -= bs
            step *= better
            bs += step
        a, idx = y, best
        scale *= k
    y = a
    idx = idx.astype(numpy.int32)
    if numpy.isnan(y).any():
        views = _max_views(x, ksize, stride, pad, out_dims)
        idx = _first_nan(views, y, idx)
    return y, idx


def _first_nan(views, y, idx):
    """``idx`` with a NaN window's offset set to its first NaN, as Chainer's argmax over
    the window on the CPU (the CuPy kernels choose the same)."""
    xp = backend.get_array_module(y)
    nan = xp.isnan(y)
    if xp is numpy and not nan.any():
        return idx
    first = xp.zeros(y.shape, numpy.int32)
    for k in range(len(views) - 1, -1, -1):
        first = xp.where(xp.isnan(views[k]), numpy.int32(k), first)
    return xp.where(nan, first, idx)


def _in_window(indexes, ksize) -> bool:
    """(NumPy) Whether every offset in ``indexes`` lies in the window (others pick
    nothing, which the per-offset loop does)."""
    return indexes.size == 0 or (int(indexes.min()) >= 0
                                 and int(indexes.max()) < array_utils.size_of_shape(ksize))


def _picked_positions(indexes, ksize, stride, full_dims):
    """(NumPy) The flat position, in C-ordered images of shape ``(n, c) + full_dims``
    (padded), of the entry at window offset ``indexes`` of every output's window."""
    n, c = indexes.shape[:2]
    out_dims = indexes.shape[2:]
    steps = [1] * len(full_dims)
    for d in range(len(full_dims) - 2, -1, -1):
        steps[d] = steps[d + 1] * full_dims[d + 1]
    plane = steps[0] * full_dims[0] if full_dims else 1
    offsets = numpy.array([sum(k * st for k, st in zip(kidx, steps))
                           for kidx in _offsets(ksize)], numpy.int64)
    pos = offsets[indexes]
    for d, (o, s, st) in enumerate(zip(out_dims, stride, steps)):
        shape = [1] * len(out_dims)
        shape[d] = o
        pos += (numpy.arange(o, dtype=numpy.int64) * (s * st)).reshape(shape)
    pos += (numpy.arange(n * c, dtype=numpy.int64) * plane).reshape(
        (n, c) + (1,) * len(out_dims))
    return pos


def window_gather(x, indexes, ksize, stride, pad):
    """The entry of every window of ``x`` at the flat offset ``indexes`` (zero in padding)."""
    xp = backend.get_array_module(x)
    if (_fused(xp) and _fused_indexes(indexes, xp)
            and tuple(indexes.shape[:2]) == tuple(x.shape[:2])):
        return _window_kernels.window_pick(x, indexes, ksize, stride, pad)
    out_dims = indexes.shape[2:]
    xpad = _pad(x, ksize, stride, pad, out_dims, 0)
    if xp is numpy and tuple(indexes.shape[:2]) == tuple(x.shape[:2]) and _in_window(
            indexes, ksize):
        pos = _picked_positions(indexes, ksize, stride, xpad.shape[2:])
        return xpad.reshape(-1)[pos]
    y = xp.zeros(indexes.shape, dtype=x.dtype)
    for k, kidx in enumerate(_offsets(ksize)):
        y = xp.where(indexes == k, xpad[_window(kidx, stride, out_dims)], y)
    return y


_BITS = {2: numpy.dtype(numpy.uint16), 4: numpy.dtype(numpy.uint32),
          8: numpy.dtype(numpy.uint64)}
#: Windows of at most this many offsets that tile the image are scattered into
#: offset by offset (:func:`_scatter_tiles`); larger ones by their flat positions.
_TILE_SCATTER_MAX_OFFSETS = 16


def _scatter_tiles(g, indexes, ksize, full):
    """(NumPy) :func:`window_scatter` for windows that tile the padded image of shape
    ``full`` (``stride == ksize``): every offset's slot of all tiles at once, written
    as the bits of ``g`` times whether the offset was chosen (every value kept bit
    for bit, NaN and -0.0 included; offsets outside the window pick nothing).  About
    1.5 times faster than writing through flat positions."""
    bits = _BITS[g.dtype.itemsize]
    if (tuple(ksize) == (2, 2) and _PAIR_BITS and g.dtype.itemsize in _PAIR_BITS
            and indexes.dtype == numpy.int32
            and tuple(full[2:]) == tuple(2 * o for o in g.shape[2:])):
        return _scatter_pairs(g, indexes, full, bits)
    img = numpy.zeros(full, bits)
    tiles = _tiles(img, ksize, g.shape[2:])
    g_bits = g.view(bits)
    for k, kidx in enumerate(_offsets(ksize)):
        slot = (slice(None), slice(None)) + tuple(v for j in kidx for v in (slice(None), j))
        numpy.multiply(g_bits, indexes == k, out=tiles[slot], casting='unsafe')
    return img.view(g.dtype)


#: Unsigned integers of twice the width of a float16 / float32 value, whose low half
#: is the first value in memory (none on a big-endian host).
_PAIR_BITS = {2: numpy.dtype(numpy.uint32), 4: numpy.dtype(numpy.uint64)} \
    if sys.byteorder == 'little' else {}


def _scatter_pairs(g, indexes, full, bits):
    """(NumPy) :func:`_scatter_tiles` for 2x2 tiles exactly covering the image of
    shape ``full`` (int32 ``indexes``): each tile row's two entries written as one
    unsigned integer of twice the width, ``g``'s bits shifted into the chosen half of
    the row that holds the chosen entry and out of the other row (a shift by the whole
    width gives 0, as for an offset outside the window). Each write is a contiguous
    row rather than a strided slot of every tile; the same bits."""
    n, c, oh, ow = g.shape
    wide = _PAIR_BITS[g.dtype.itemsize]
    img = numpy.empty(full, bits)
    rows = img.view(wide).reshape(n, c, oh, 2, ow)
    offsets = indexes.view(numpy.uint32)
    two = numpy.uint32(2)
    log_bits = numpy.uint32(2 + g.dtype.itemsize.bit_length())  # 16 or 32 bits a value
    # block by block of samples: the widened g and the shifts are a block's only
    for block in array_utils.sample_blocks(g, wide):
        g_wide = g[block].view(bits).astype(wide)
        offset = offsets[block]
        # row 0: offsets 0 and 1 shift by 0 and one value's bits, others by two values'
        shift = numpy.minimum(offset, two)
        shift <<= log_bits
        numpy.left_shift(g_wide, shift, out=rows[block, :, :, 0])
        # row 1: the same for offsets 2 and 3 (k ^ 2: 0 and 1)
        numpy.bitwise_xor(offset, two, out=shift)
        numpy.minimum(shift, two, out=shift)
        shift <<= log_bits
        numpy.left_shift(g_wide, shift, out=rows[block, :, :, 1])
    return img.view(g.dtype)


def window_scatter(g, indexes, ksize, stride, pad, in_dims):
    """The adjoint of :func:`window_gather`: ``g`` added at the chosen window entries of an
    image of spatial shape ``in_dims``."""
    xp = backend.get_array_module(g)
    if (_fused(xp) and _fused_indexes(indexes, xp)
            and tuple(indexes.shape) == tuple(g.shape)):
        return _window_kernels.window_spread(g, ksize, stride, pad, in_dims, indexes)
    out_dims = g.shape[2:]
    full = _padded_shape(g.shape[:2] + tuple(in_dims), ksize, stride, pad, out_dims)
    if (xp is numpy and tuple(indexes.shape) == tuple(g.shape) and indexes.dtype.kind in 'iu'
            and g.dtype.itemsize in _BITS and tuple(stride) == tuple(ksize)
            and array_utils.size_of_shape(ksize) <= _TILE_SCATTER_MAX_OFFSETS):
        return _crop(_scatter_tiles(g, indexes, ksize, full), pad, in_dims)
    # Windows that cannot overlap are written, not accumulated.
    disjoint = all(s >= k for s, k in zip(stride, ksize))
    if xp is numpy and tuple(indexes.shape) == tuple(g.shape) and _in_window(indexes, ksize):
        # Each output's entry by its flat position: written where windows are
        # disjoint, else summed by bincount (in float64, then rounded once).
        pos = _picked_positions(indexes, ksize, stride, full[2:]).reshape(-1)
        size = array_utils.size_of_shape(full)
        if disjoint:
            img = numpy.zeros(size, g.dtype)
            img[pos] = g.reshape(-1)
        else:
            img = numpy.bincount(pos, weights=g.reshape(-1), minlength=size).astype(g.dtype)
        return _crop(img.reshape(full), pad, in_dims)
    img = xp.zeros(full, dtype=g.dtype)
    zero = g.dtype.type(0)
    for k, kidx in enumerate(_offsets(ksize)):
        part = xp.where(indexes == k, g, zero)
        if disjoint:
            img[_window(kidx, stride, out_dims)] = part
        else:
            img[_window(kidx, stride, out_dims)] += part
    return _crop(img, pad, in_dims)


def _tiled(xp, ksize, stride, out_dims) -> bool:
    """Whether NumPy should treat the windows as tiles (see :func:`_tiles`): they
    are disjoint and adjacent, and more offsets than outputs would be looped
    over (a global pooling)."""
    return (xp is numpy and tuple(stride) == tuple(ksize)
            and array_utils.size_of_shape(out_dims) <= array_utils.size_of_shape(ksize))


def _tiles(img, ksize, out_dims):
    """A view of the windows of ``img`` (``stride == ksize``) with the axes
    ``(n, c, o1, k1, o2, k2, ...)``."""
    region = img[(slice(None), slice(None)) + tuple(
        slice(0, o * k) for o, k in zip(out_dims, ksize))]
    # splitting each axis into (o, k) is always a view: built from the strides,
    # since assigning ``.shape`` is deprecated from NumPy 2.5
    shape = region.shape[:2] + tuple(v for o, k in zip(out_dims, ksize) for v in (o, k))
    strides = region.strides[:2] + tuple(
        v for s, k in zip(region.strides[2:], ksize) for v in (s * k, s))
    return numpy.lib.stride_tricks.as_strided(region, shape, strides)


def window_sum(x, ksize, stride, pad, out_dims):
    """The sum of every window of ``x`` (padding counts as zero)."""
    xp = backend.get_array_module(x)
    if _fused(xp):
        return _window_kernels.window_sum(x, ksize, stride, pad, out_dims)
    xpad = _pad(x, ksize, stride, pad, out_dims, 0)
    if _tiled(xp, ksize, stride, out_dims):
        # summed in Chainer's im2col layout (n, c, k1, k2, ..., o1, o2, ...), which
        # fixes NumPy's order of additions (bit-identical results; the copy costs
        # about what summing the strided view did)
        nd = len(ksize)
        col = xp.ascontiguousarray(_tiles(xpad, ksize, out_dims).transpose(
            (0, 1) + tuple(range(3, 3 + 2 * nd, 2)) + tuple(range(2, 2 + 2 * nd, 2))))
        return col.sum(axis=tuple(range(2, 2 + nd)))
    y = None
    for kidx in _offsets(ksize):
        v = xpad[_window(kidx, stride, out_dims)]
        if y is None:
            y = v.copy()
        else:
            y += v
    return y


def window_spread(g, ksize, stride, pad, in_dims):
    """The adjoint of :func:`window_sum`: every entry of ``g`` added to its whole window."""
    xp = backend.get_array_module(g)
    if _fused(xp):
        return _window_kernels.window_spread(g, ksize, stride, pad, in_dims)
    out_dims = g.shape[2:]
    full = _padded_shape(g.shape[:2] + tuple(in_dims), ksize, stride, pad, out_dims)
    img = xp.zeros(full, dtype=g.dtype)
    if _tiled(xp, ksize, stride, out_dims):
        _tiles(img, ksize, out_dims)[...] = g.reshape(
            g.shape[:2] + tuple(v for o in out_dims for v in (o, 1)))
        return _crop(img, pad, in_dims)
    for kidx in _offsets(ksize):
        img[_window(kidx, stride, out_dims)] += g
    return _crop(img, pad, in_dims)


def pooling_out_dims(in_dims, ksize, stride, pad, cover_all: bool) -> tuple:
    """Output sizes of a pooling; ``InvalidType`` when one is not positive."""
    return conv._positive_out_dims(in_dims, ksize, stride, pad, cover_all)


def check_window_args(ksize: tuple, stride: tuple, pad: tuple) -> None:
    """ValueError (also an AssertionError) unless every window length and stride is
    positive and every pad non-negative."""
    if any(k <= 0 for k in ksize):
        raise _ValueAssertionError(f'ksize must be positive, got {ksize}')
    if any(s <= 0 for s in stride):
        raise _ValueAssertionError(f'stride must be positive, got {stride}')
    if any(p < 0 for p in pad):
        raise _ValueAssertionError(f'pad must be non-negative, got {pad}')


class _PoolingND(function_node.FunctionNode):
    """Holds the arguments shared by N-dimensional poolings."""

    # Chainer's pooling nodes carried these flags; rechainer has no cuDNN path and
    # returns indices from the function, not the node.
    is_cudnn_used = False
    return_indices = False
    # Chainer's N-d pooling nodes rejected an empty input (``in_types[0].size > 0``);
    # its 2-D node base (average_pooling_2d) did not.
    _nonempty = True

    def __init__(self, ndim: int, ksize, stride=None, pad=0, cover_all: bool = True) -> None:
        if ndim <= 0:
            raise ValueError('pooling operation requires at least one spatial dimension.')
        if stride is None:
            stride = ksize
        self.ndim = ndim
        self.ksize = conv_nd.as_tuple(ksize, ndim)
        self.stride = conv_nd.as_tuple(stride, ndim)
        self.pad = conv_nd.as_tuple(pad, ndim)
        self.cover_all = cover_all
        check_window_args(self.ksize, self.stride, self.pad)

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, None, ndim=2 + self.ndim)
        x_type = in_types[0]
        if self._nonempty:
            type_check.expect(x_type.size > 0)
        pooling_out_dims([type_check.eval(x_type.shape[2 + i]) for i in range(self.ndim)],
                         self.ksize, self.stride, self.pad, self.cover_all)

    def _out_dims(self, x) -> tuple:
        return pooling_out_dims(x.shape[2:], self.ksize, self.stride, self.pad,
                                self.cover_all)


def unpooled_dims(in_dims: Sequence[int], ksize, stride, pad, cover_all: bool,
                  outsize: Optional[Sequence[int]]) -> tuple:
    """The output size of an unpooling (``outsize`` or the deconvolution formula)."""
    if outsize is not None:
        return tuple(outsize)
    return tuple(conv.get_deconv_outsize(d, k, s, p, cover_all)
                 for d, k, s, p in zip(in_dims, ksize, stride, pad))
