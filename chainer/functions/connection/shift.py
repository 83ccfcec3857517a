"""Shift: moves channel groups to the positions of a ``ksize`` window (a zero-FLOP
replacement of spatial convolutions)."""
from __future__ import annotations

from typing import Any

from chainer.functions.array.concat import concat
from chainer.functions.array.pad import pad
from chainer.utils import conv_nd
from chainer.utils import type_check

__all__ = ['shift']


def _group_slices(c: int, h: int, w: int, kh: int, kw: int, dy: int, dx: int):
    """``(channel slice, row slice, column slice)`` of the padded input for each group."""
    py = kh // 2 * abs(dy)
    px = kw // 2 * abs(dx)
    n_groups = kh * kw
    group_size = c // n_groups
    center = (n_groups - 1) // 2
    out = []
    for i in range(n_groups):
        # The centre offset (no shift) takes the last group, which also keeps
        # the channels left over by the integer division.
        g = i
        if g == center:
            g = n_groups - 1
        elif g == n_groups - 1:
            g = center
        ky = g // kw - kh // 2
        kx = g % kw - kw // 2
        hs = py - ky * dy
        ws = px - kx * dx
        cs = i * group_size
        ce = (i + 1) * group_size if i < n_groups - 1 else c
        out.append((slice(cs, ce), slice(hs, hs + h), slice(ws, ws + w)))
    return out, (py, px)


def shift(x: Any, ksize=3, dilate=1):
    """Shifts the channels of ``x`` in ``kh * kw`` groups by the offsets of a window.

    Group ``i`` of ``c // (kh * kw)`` channels moves by the ``i``-th offset
    ``((ky - kh // 2) * dy, (kx - kw // 2) * dx)`` of the ``ksize`` window
    (row-major, the zero offset swapped to the last group, which also takes the
    remaining channels); pixels shifted in from outside are zeros.

    Args:
        x: Input of shape ``(n, c, h, w)`` with ``c >= kh * kw``.
        ksize: Window size (int or pair, odd values).
        dilate: Distance between window offsets (int or pair).
    """
    kh, kw = conv_nd.as_tuple(ksize, 2)
    dy, dx = conv_nd.as_tuple(dilate, 2)
    if x.ndim != 4 or x.dtype.kind != 'f':
        raise type_check.InvalidType('x.ndim == 4 and x.dtype.kind == "f"',
                                     f'x.ndim == {x.ndim}, x.dtype == {x.dtype}')
    if x.shape[1] < kh * kw:
        raise type_check.InvalidType(f'x.shape[1] >= {kh * kw}', f'x.shape[1] == {x.shape[1]}')
    if dy == 0 or dx == 0:
        raise ValueError('dilate must not be zero')
    n, c, h, w = x.shape
    slices, (py, px) = _group_slices(c, h, w, kh, kw, dy, dx)
    xp = pad(x, ((0, 0), (0, 0), (py, py), (px, px)), 'constant')
    return concat([xp[(slice(None),) + s] for s in slices], axis=1)
