"""Shift: moves channel groups to the positions of a ``ksize`` window (a zero-FLOP
replacement of spatial convolutions)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['Shift', 'shift']


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


class Shift(function_node.FunctionNode):
    """Shifts channel groups of an NCHW input by the offsets of a ``ksize`` window."""

    def __init__(self, ksize=3, dilate=1) -> None:
        self.kh, self.kw = conv_nd.as_tuple(ksize, 2)
        self.dy, self.dx = conv_nd.as_tuple(dilate, 2)
        if self.dy == 0 or self.dx == 0:
            raise ValueError('dilate must not be zero')
        if self.kh % 2 == 0 or self.kw % 2 == 0:
            raise ValueError(f'ksize must be odd, got {(self.kh, self.kw)}')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type = in_types[0]
        type_check.expect(x_type.dtype.kind == 'f', x_type.ndim == 4,
                          x_type.shape[1] >= self.kh * self.kw)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        n, c, h, w = x.shape
        slices, (py, px) = _group_slices(c, h, w, self.kh, self.kw, self.dy, self.dx)
        xpad = xp.pad(x, ((0, 0), (0, 0), (py, py), (px, px)), mode='constant')
        return xp.concatenate([xpad[(slice(None),) + s] for s in slices], axis=1),

    def backward(self, indexes, grad_outputs):
        # Shifting back (the opposite offsets, same groups) is the adjoint.
        return Shift((self.kh, self.kw), (-self.dy, -self.dx)).apply(grad_outputs)


def shift(x: VariableOrArray, ksize: int | Sequence[int] = 3,
          dilate: int | Sequence[int] = 1) -> Variable:
    """Shifts the channels of ``x`` in ``kh * kw`` groups by the offsets of a window.

    Group ``i`` of ``c // (kh * kw)`` channels moves by the ``i``-th offset
    ``((ky - kh // 2) * dy, (kx - kw // 2) * dx)`` of the ``ksize`` window
    (row-major, the zero offset swapped to the last group, which also takes the
    remaining channels); pixels shifted in from outside are zeros.

    Args:
        x: Input of shape ``(n, c, h, w)`` with ``c >= kh * kw``.
        ksize: Window size (int or pair, odd values).
        dilate: Distance between window offsets (int or pair, non-zero).
    """
    y, = Shift(ksize, dilate).apply((x,))
    return y
