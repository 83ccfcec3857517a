"""Tiling an array by repetition."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Tile(function_node.FunctionNode):
    """Constructs an array by repeating the input ``reps`` times (``numpy.tile``)."""

    def __init__(self, reps) -> None:
        if type_check._is_int(reps):
            self.reps = (int(reps),)
        elif isinstance(reps, tuple) and all(type_check._is_int(r) for r in reps):
            self.reps = tuple(int(r) for r in reps)
        else:
            raise TypeError(f'reps must be int or tuple of ints.\nActual: {type(reps)}')
        if not all(r >= 0 for r in self.reps):
            raise ValueError('All elements in reps must be zero or larger')

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        shape, reps = _aligned(x.shape, self.reps)
        # One broadcasting copy (numpy.tile copies once per tiled axis).
        y = xp.empty(tuple(r * s for r, s in zip(reps, shape)), x.dtype)
        y.reshape(_interleaved(reps, shape))[...] = x.reshape(
            _interleaved((1,) * len(reps), shape))
        return y,

    def backward(self, indexes, grad_outputs):
        return TileGrad(self.reps, tuple(self.inputs[0].shape)).apply(grad_outputs)


class TileGrad(function_node.FunctionNode):
    """Sums ``gy`` over the repetitions of :class:`Tile` (its backward; tiling is its own)."""

    # Up to this many repetitions a C-contiguous NumPy gradient is summed by
    # adding the tiles in turn: NumPy's reduction adds them in that order too,
    # several times slower over axes that are not the innermost.
    _MAX_ADDED = 64

    def __init__(self, reps: tuple, in_shape: tuple) -> None:
        self.reps = reps
        self.in_shape = in_shape

    def forward(self, inputs):
        gy, = inputs
        shape, reps = _aligned(self.in_shape, self.reps)
        g = gy.reshape(_interleaved(reps, shape))
        n = 1
        for r in reps:
            n *= r
        if (type(gy) is numpy.ndarray and gy.dtype.kind == 'f' and gy.dtype.itemsize >= 4
                and gy.flags.c_contiguous and 0 < n <= self._MAX_ADDED and shape and shape[-1] > 1):
            tiles = [g[sum(((k, slice(None)) for k in index), ())]
                     for index in numpy.ndindex(*reps)]
            gx = tiles[0].copy()
            for t in tiles[1:]:
                gx += t
        else:
            gx = g.sum(axis=tuple(range(0, 2 * len(shape), 2)))
        return gx.reshape(self.in_shape),

    def backward(self, indexes, grad_outputs):
        return Tile(self.reps).apply(grad_outputs)


def _aligned(shape: tuple, reps: tuple) -> tuple:
    """``(shape, reps)`` padded with leading ones to one length, as ``numpy.tile`` does."""
    if len(shape) > len(reps):
        reps = (1,) * (len(shape) - len(reps)) + reps
    elif len(shape) < len(reps):
        shape = (1,) * (len(reps) - len(shape)) + tuple(shape)
    return tuple(shape), reps


def _interleaved(reps: tuple, shape: tuple) -> tuple:
    """``(reps[0], shape[0], reps[1], shape[1], ...)``: each repetition on an axis of its own."""
    out = []
    for r, s in zip(reps, shape):
        out += [r, s]
    return tuple(out)


def tile(x: VariableOrArray, reps: int | Sequence[int]) -> Variable:
    """Constructs an array by tiling ``x`` ``reps`` times (an int or a tuple of ints)."""
    return Tile(reps).apply((x,))[0]
