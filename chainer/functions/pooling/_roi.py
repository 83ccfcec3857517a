"""The machinery shared by the region-of-interest poolings.

Every RoI pooling reads, for each output value, a few input pixels with fixed
weights (a bin of pixels, bilinear taps, or the maximum among them).  The bins
and taps are computed on the host from the (small) RoI array; the data then
moves in one vectorized gather, and the gradient in one scatter-add, so both
NumPy and CuPy run the same code and every derivative is again a gather or a
scatter.
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy

from chainer import backend
from chainer import function_node
from chainer import variable
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.error import _repr


def _index(xp, batch, pos, channels: int) -> tuple:
    """The advanced index ``(batch, channel, pixel)`` into ``x.reshape(n, c, h * w)`` for
    taps ``pos`` of shape ``(R, C or 1, ...)``; nothing is broadcast in memory."""
    extra = (None,) * (pos.ndim - 2)
    b = batch[(slice(None), None) + extra]
    c = xp.arange(channels)[(None, slice(None)) + extra]
    return b, c, pos


def _gather_blocks(xf, batch, pos, weight):
    """``(xf[_index(batch, pos)] * weight).sum(axis=-1)`` on NumPy, bit for bit, a
    block of RoIs at a time through flat indices: ``take`` of one flat index reads
    three times faster than the advanced index of three arrays, and each block's
    products are summed while in cache."""
    n, c, hw = xf.shape
    blocks = array_utils._first_axis_blocks(
        len(batch), (xf.itemsize + 8) * c * array_utils.size_of_shape(pos.shape[2:]),
        array_utils._GATHER_BYTES, 1)
    with numpy.errstate(invalid='ignore'):  # an infinite x times a weight of 0
        if len(blocks) == 1:  # small: the plain form has less to set up
            return (xf[_index(numpy, batch, pos, c)] * weight).sum(axis=-1)
    extra = (None,) * (pos.ndim - 2)
    channel = numpy.arange(0, c * hw, hw)[(None, slice(None)) + extra]
    shape = numpy.broadcast_shapes((len(batch), c) + (1,) * len(extra), pos.shape,
                                   weight.shape)
    y = numpy.empty(shape[:-1], xf.dtype)
    flat_x = xf.reshape(-1)
    for s in blocks:
        index = batch[(s,) + (None,) * (pos.ndim - 1)] * (c * hw) + channel + pos[s]
        vals = flat_x.take(numpy.broadcast_to(index, (len(index),) + shape[1:]))
        with numpy.errstate(invalid='ignore'):  # an infinite x times a weight of 0
            vals *= weight[s]
        vals.sum(axis=-1, out=y[s])
    return y


class SparseGather(function_node.FunctionNode):
    """``y[r, c, ...] = sum_k x[batch[r], c, pos[r, c, ..., k]] * weight[r, c, ..., k]``
    over the flattened pixels of ``x`` (``pos`` and ``weight`` may have a channel axis of
    size 1; both are fixed).  Inputs after ``x`` (the RoIs and their indices, as
    Chainer's RoI nodes take them) only appear in the graph; ``label`` names the
    public function's node as Chainer's graph dumps show it.  Where the boolean
    ``empty`` (broadcast to ``y``) is set, ``y`` is ``-inf`` (a max over nothing)."""

    def __init__(self, batch, pos, weight, label: str = 'SparseGather', empty=None) -> None:
        self.batch = batch
        self.pos = pos
        self.weight = weight
        self._label = label
        self.empty = empty

    @property
    def label(self):
        return self._label

    def forward(self, inputs):
        x = inputs[0]
        xp = backend.get_array_module(x)
        self._x_shape = x.shape
        n, c = x.shape[:2]
        xf = array_utils.as_compute(x).reshape(n, c, x.shape[2] * x.shape[3])
        weight = self.weight.astype(xf.dtype, copy=False)
        if xp is numpy:
            y = _gather_blocks(xf, self.batch, self.pos, weight)
        else:
            vals = xf[_index(xp, self.batch, self.pos, c)]
            y = (vals * weight).sum(axis=-1)
        if self.empty is not None:
            y = xp.where(self.empty, xf.dtype.type(-numpy.inf), y)
        return y.astype(x.dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        gx, = SparseScatter(self.batch, self.pos, self.weight,
                            self._x_shape).apply(grad_outputs)
        return tuple(gx if i == 0 else None for i in indexes)


class SparseScatter(function_node.FunctionNode):
    """The adjoint of :class:`SparseGather`: adds ``gy * weight`` at the taps of a zero
    array of ``shape``."""

    def __init__(self, batch, pos, weight, shape) -> None:
        self.batch = batch
        self.pos = pos
        self.weight = weight
        self.shape = tuple(shape)

    def forward(self, inputs):
        gy, = inputs
        out_dtype = gy.dtype
        xp = backend.get_array_module(gy)
        n, c = self.shape[:2]
        dtype = array_utils.compute_dtype(gy.dtype)
        hw = array_utils.size_of_shape(self.shape[2:])
        index = _index(xp, self.batch, self.pos, c)
        shape = numpy.broadcast_shapes(*(i.shape for i in index))
        gy = gy.astype(dtype, copy=False)
        weight = self.weight.astype(dtype, copy=False)
        if xp is numpy:
            # one sparse product (numpy.add.at adds one value at a time): every output
            # value gy[r, c, p, q] times its taps' weights into the flat pixels of x,
            # bit for bit the scatter below
            flat = (index[0] * c + index[1]) * hw + index[2]
            k = shape[-1]
            gx = array_utils.scatter_rows(
                n * c * hw, numpy.broadcast_to(flat, shape).reshape(-1, k), gy.reshape(-1, 1),
                numpy.broadcast_to(weight, shape).reshape(-1, k))
        else:
            gx = xp.zeros((n, c, hw), dtype=dtype)
            array_utils.scatter_add(gx, index, xp.broadcast_to(gy[..., None] * weight, shape))
        return gx.reshape(self.shape).astype(out_dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        return SparseGather(self.batch, self.pos, self.weight).apply(grad_outputs)


def check_inputs(x, rois, n_box: int, roi_indices=None, label: str = 'ROIPooling2D') -> None:
    """``InvalidType`` unless ``x`` is a float NCHW array and ``rois`` an ``(R, n_box)``
    float array (with ``R`` int ``roi_indices`` when given): Chainer's checks, whose
    failures name ``label``, the node Chainer's function checked in."""
    arrays = (x, rois) if roi_indices is None else (x, rois, roi_indices)
    with type_check._checking(label, arrays, ('x', 'rois', 'roi_indices')[:len(arrays)]) as t:
        x_type, roi_type = t[:2]
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim == 4,
            roi_type.dtype.kind == 'f',  # Chainer: rois.dtype == x.dtype (float32)
            roi_type.ndim == 2,
            roi_type.shape[1] == n_box,
        )
        if roi_indices is not None:
            roi_index_type = t[2]
            type_check.expect(
                roi_index_type.dtype.kind == 'i',
                roi_index_type.ndim == 1,
                roi_type.shape[0] == roi_index_type.shape[0],
            )


def host(a) -> numpy.ndarray:
    """``a`` (an array or a Variable) as a NumPy array (RoIs are small: the bins are
    laid out on the host)."""
    if isinstance(a, variable.Variable):
        a = a.array
    if isinstance(a, numpy.ndarray):
        return a
    return backend.CpuDevice().send(a)


def _as_pair(v) -> tuple:
    return tuple(v) if isinstance(v, Iterable) else (v, v)


def _is_int(v) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def pair(v, name: str) -> tuple:
    """``v``, a positive integer or a pair of them, as a pair (``TypeError`` otherwise,
    as Chainer raised)."""
    t = _as_pair(v)
    if len(t) != 2 or not all(_is_int(s) and s > 0 for s in t):
        raise TypeError(f'{name} must be a positive integer or a pair of them, got {_repr(v)}')
    return int(t[0]), int(t[1])


def sampling_pair(v) -> tuple:
    """RoIAlign's ``sampling_ratio`` as a pair whose entries are ints >= 1 or None."""
    t = _as_pair(v)
    if len(t) != 2 or not all(s is None or (_is_int(s) and s >= 1) for s in t):
        raise TypeError('sampling_ratio must be None, an integer >= 1 or a pair of '
                        f'them, got {_repr(v)}')
    return tuple(None if s is None else int(s) for s in t)


def pool_bins(start: numpy.ndarray, end: numpy.ndarray, n_bins: int, size: int,
              plus_one: bool) -> tuple:
    """``(lo, hi)``, each ``(R, n_bins)``: the pixel range of every bin of every RoI,
    clipped to ``[0, size]`` (integer RoI corners, quantized like Chainer)."""
    length = numpy.maximum(end - start + (1 if plus_one else 0), 1).astype(numpy.float64)
    step = length / n_bins
    p = numpy.arange(n_bins)
    lo = numpy.floor(p[None] * step[:, None]).astype(numpy.int64) + start[:, None]
    hi = numpy.ceil((p[None] + 1) * step[:, None]).astype(numpy.int64) + start[:, None]
    # (numpy.clip's wrapper costs more than the two ufuncs on these few integers)
    return (numpy.minimum(numpy.maximum(lo, 0), size),
            numpy.minimum(numpy.maximum(hi, 0), size))


def bin_taps(lo_h, hi_h, lo_w, hi_w, width: int) -> tuple:
    """``(pos, valid)`` of shape ``(R, P, Q, M)``: the flat pixel positions of every bin
    (padded to the largest bin, ``valid`` False on the padding)."""
    mh = int((hi_h - lo_h).max(initial=0))
    mw = int((hi_w - lo_w).max(initial=0))
    mh, mw = max(mh, 1), max(mw, 1)
    rows = lo_h[:, :, None] + numpy.arange(mh)                     # (R, P, mh)
    cols = lo_w[:, :, None] + numpy.arange(mw)                     # (R, Q, mw)
    vr = rows < hi_h[:, :, None]
    vc = cols < hi_w[:, :, None]
    pos = rows[:, :, None, :, None] * width + cols[:, None, :, None, :]
    valid = vr[:, :, None, :, None] & vc[:, None, :, None, :]
    R, P, Q = pos.shape[:3]
    pos = numpy.where(valid, pos, 0)
    return pos.reshape(R, P, Q, mh * mw), valid.reshape(R, P, Q, mh * mw)


def align_taps(start_h, start_w, end_h, end_w, out_h: int, out_w: int, height: int,
               width: int, sampling_ratio) -> tuple:
    """``(pos, weight, sample_valid)`` of the bilinear taps of RoIAlign:
    ``pos``/``weight`` ``(R, P, Q, S, 4)`` (S samples per bin, 4 corners each),
    ``sample_valid`` ``(R, P, Q, S)``."""
    roi_h = numpy.maximum(end_h - start_h, 1.0)
    roi_w = numpy.maximum(end_w - start_w, 1.0)
    bin_h = roi_h / out_h
    bin_w = roi_w / out_w
    sh, sw = sampling_pair(sampling_ratio)
    # Without a ratio, as many samples along an axis as the bin is long (rounded up).
    if sh is None:
        grid_h = numpy.ceil(roi_h / out_h).astype(numpy.int64)
    else:
        grid_h = numpy.full(len(roi_h), sh, numpy.int64)
    if sw is None:
        grid_w = numpy.ceil(roi_w / out_w).astype(numpy.int64)
    else:
        grid_w = numpy.full(len(roi_w), sw, numpy.int64)
    gh = max(int(grid_h.max(initial=1)), 1)
    gw = max(int(grid_w.max(initial=1)), 1)

    def axis(start, bin_size, grid, n_out, size, g):
        i = numpy.arange(g)
        p = numpy.arange(n_out)
        c = (start[:, None, None] + p[None, :, None] * bin_size[:, None, None]
             + (i[None, None, :] + 0.5) * bin_size[:, None, None] / grid[:, None, None])
        used = i[None, None, :] < grid[:, None, None]                  # (R, n_out, g)
        inside = (c >= -1.0) & (c <= size)
        c = numpy.maximum(c, 0.0)
        low = numpy.floor(c).astype(numpy.int64)
        at_end = low >= size - 1
        low = numpy.where(at_end, size - 1, low)
        high = numpy.where(at_end, size - 1, low + 1)
        c = numpy.where(at_end, low.astype(numpy.float64), c)
        frac = c - low
        return low, high, 1 - frac, frac, used & inside

    yl, yh, wyl, wyh, vy = axis(start_h, bin_h, grid_h, out_h, height, gh)   # (R, P, gh)
    xl, xh, wxl, wxh, vx = axis(start_w, bin_w, grid_w, out_w, width, gw)    # (R, Q, gw)
    R = len(roi_h)

    def outer(a, b):  # (R, P, gh) x (R, Q, gw) -> (R, P, Q, gh * gw)
        return (a[:, :, None, :, None] * b[:, None, :, None, :]).reshape(
            R, out_h, out_w, gh * gw)

    def pos(r, c):
        return (r[:, :, None, :, None] * width + c[:, None, :, None, :]).reshape(
            R, out_h, out_w, gh * gw)

    positions = numpy.stack([pos(yl, xl), pos(yl, xh), pos(yh, xl), pos(yh, xh)], axis=-1)
    weights = numpy.stack([outer(wyl, wxl), outer(wyl, wxh), outer(wyh, wxl),
                           outer(wyh, wxh)], axis=-1)
    valid = (vy[:, :, None, :, None] & vx[:, None, :, None, :]).reshape(
        R, out_h, out_w, gh * gw)
    weights = numpy.where(valid[..., None], weights, 0.0)
    count = numpy.maximum(grid_h * grid_w, 1)
    return positions, weights, valid, count


# Peak number of candidate values evaluated at once by :func:`gather_max`.
_CHUNK = 1 << 22


def gather_mean(x, batch, pos, weight, label: str, extras: tuple):
    """:class:`SparseGather` with channel-independent taps ``pos``/``weight`` ``(R, P, Q, K)``."""
    xp = backend.get_array_module(x)
    array_utils.check_index_range(batch, x.shape[0], 'roi_indices')
    y, = SparseGather(xp.asarray(batch), xp.asarray(pos[:, None], dtype=numpy.int32),
                      xp.asarray(weight[:, None]), label).apply((x,) + extras)
    return y


def gather_max(x, batch, pos, weight, valid, label: str, extras: tuple,
               empty_is_minus_inf: bool = False, above_minus_inf: bool = False):
    """Per channel, the largest of the sample values (``(R, P, Q, S, K)`` taps summed over
    K with their weights; the ``valid`` samples only) as a :class:`SparseGather`;
    where no sample is valid, 0 (``-inf`` with ``empty_is_minus_inf``).  With
    ``above_minus_inf``, only samples above ``-inf`` count (NaN ones never), as
    Chainer's RoIAlign compared them.  RoIs are evaluated in chunks to bound memory."""
    xp = backend.get_array_module(x)
    n, c = x.shape[:2]
    array_utils.check_index_range(batch, n, 'roi_indices')
    xf = array_utils.as_compute(x.array if hasattr(x, 'array') else x).reshape(
        n, c, x.shape[2] * x.shape[3])
    per_roi = c * max(1, int(numpy.prod(pos.shape[1:])))
    step = max(1, _CHUNK // per_roi)
    sel_pos, sel_w, empty = [], [], []
    for r0 in range(0, len(batch), step):
        b = xp.asarray(batch[r0:r0 + step])
        p = xp.asarray(pos[r0:r0 + step, None], dtype=numpy.int32)      # (r, 1, P, Q, S, K)
        w = xp.asarray(weight[r0:r0 + step, None]).astype(xf.dtype)
        ok = xp.asarray(valid[r0:r0 + step, None])                       # (r, 1, P, Q, S)
        if xp is numpy:
            vals = _gather_blocks(xf, b, p, w)                           # (r, C, P, Q, S)
        else:
            vals = (xf[_index(xp, b, p, c)] * w).sum(axis=-1)
        if above_minus_inf:
            ok = ok & (vals > -xp.inf)
        vals = xp.where(ok, vals, -xp.inf)
        best = xp.argmax(vals, axis=-1)[..., None, None]               # (r, C, P, Q, 1, 1)
        shape = vals.shape + (p.shape[-1],)
        sel_pos.append(xp.take_along_axis(xp.broadcast_to(p, shape), best, axis=-2)[..., 0, :])
        chosen = xp.take_along_axis(xp.broadcast_to(w, shape), best, axis=-2)[..., 0, :]
        sel_w.append(xp.where(ok.any(axis=-1)[..., None], chosen, 0))
        empty.append(~ok.any(axis=-1))
    if not sel_pos:
        sel_pos = [xp.zeros((0, c) + pos.shape[1:3] + pos.shape[-1:], dtype=numpy.int32)]
        sel_w = [xp.zeros(sel_pos[0].shape, dtype=xf.dtype)]
        empty = [xp.zeros((0, 1) + pos.shape[1:3], dtype=bool)]
    y, = SparseGather(xp.asarray(batch), xp.concatenate(sel_pos), xp.concatenate(sel_w),
                      label, xp.concatenate(empty) if empty_is_minus_inf else None).apply(
                          (x,) + extras)
    return y


def roi_arrays(rois, roi_indices=None):
    """The RoIs and their batch indices on the host (``int64`` indices)."""
    r = host(rois).astype(numpy.float64)
    if roi_indices is None:
        return r, None
    return r, host(roi_indices).astype(numpy.int64)


def scale_pair(spatial_scale) -> tuple:
    """``spatial_scale`` (a positive number, or a pair of them for y and x) as floats."""
    t = tuple(spatial_scale) if isinstance(spatial_scale, (tuple, list)) else \
        (spatial_scale, spatial_scale)
    if len(t) != 2 or not all(isinstance(s, numbers.Real) and not isinstance(s, bool)
                              and s > 0 for s in t):
        raise TypeError(f'spatial_scale must be a positive number, got {_repr(spatial_scale)}')
    return float(t[0]), float(t[1])

