"""Tiling an array by repetition."""
from __future__ import annotations

import numpy

from chainer import backend
from chainer import function_node
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import sum as sum_
from chainer.utils import type_check


class Tile(function_node.FunctionNode):
    """Constructs an array by repeating the input ``reps`` times (``numpy.tile``)."""

    def __init__(self, reps) -> None:
        if isinstance(reps, (int, numpy.integer)) and not isinstance(reps, bool):
            self.reps = (int(reps),)
        elif isinstance(reps, tuple) and all(
                isinstance(r, (int, numpy.integer)) and not isinstance(r, bool) for r in reps):
            self.reps = tuple(int(r) for r in reps)
        else:
            raise TypeError('reps must be int or tuple of ints')
        if not all(r >= 0 for r in self.reps):
            raise ValueError('All elements in reps must be zero or larger')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        return xp.tile(x, self.reps),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        in_shape = tuple(self.inputs[0].shape)
        reps = self.reps
        shape = in_shape
        if len(shape) > len(reps):
            reps = (1,) * (len(shape) - len(reps)) + reps
        elif len(shape) < len(reps):
            shape = (1,) * (len(reps) - len(shape)) + shape
        # Interleave (rep, size) so that the repetitions get their own axes.
        interleaved = []
        for r, s in zip(reps, shape):
            interleaved += [r, s]
        gx = sum_(reshape(gy, tuple(interleaved)), axis=tuple(range(0, 2 * len(shape), 2)))
        return reshape(gx, in_shape),


def tile(x, reps):
    """Constructs an array by tiling ``x`` ``reps`` times (an int or a tuple of ints)."""
    return Tile(reps).apply((x,))[0]
