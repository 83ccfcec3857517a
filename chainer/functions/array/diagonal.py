"""Extracting diagonals of an array."""
from __future__ import annotations

import operator
from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _diagonal_index(shape: tuple, offset: int, axis1: int, axis2: int):
    """Index of the diagonal after moving ``axis1``/``axis2`` to the end."""
    n1, n2 = shape[axis1], shape[axis2]
    r0, c0 = max(-offset, 0), max(offset, 0)
    length = max(min(n1 - r0, n2 - c0), 0)
    return numpy.arange(r0, r0 + length), numpy.arange(c0, c0 + length)


class Diagonal(function_node.FunctionNode):
    """Takes the diagonal with ``offset`` of the 2-D subarrays spanned by ``axis1``/``axis2``."""

    def __init__(self, offset: int, axis1: int, axis2: int) -> None:
        # an offset that is no integer: the TypeError of NumPy's diagonal in Chainer
        # (ours truncated 2.5)
        try:
            self.offset = operator.index(offset)
        except TypeError:
            raise TypeError(f'offset must be an integer, got {offset!r}') from None
        self.axis1 = argument._int_like(axis1, 'axis1')
        self.axis2 = argument._int_like(axis2, 'axis2')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type = in_types[0]
        # Chainer's checks (a 1-d x fails the first: x.ndim > 1), then NumPy's.
        with type_check._failing_as(type_check._InvalidAxis):
            type_check.expect(max(self.axis1, self.axis2) < x_type.ndim)
            type_check.expect(-x_type.ndim <= min(self.axis1, self.axis2))
        with type_check._failing_as(type_check._InvalidValue):
            type_check.expect(x_type.ndim >= 2)

    def forward(self, inputs):
        x, = inputs
        if self.axis1 % x.ndim == self.axis2 % x.ndim:
            raise ValueError('axis1 and axis2 cannot be the same')
        return x.diagonal(self.offset, self.axis1, self.axis2),

    def backward(self, indexes, grad_outputs):
        return DiagonalGrad(self.inputs[0].shape, self.offset, self.axis1,
                            self.axis2).apply(grad_outputs)


class DiagonalGrad(function_node.FunctionNode):
    """Places a gradient on the diagonal of a zero array (the adjoint of :class:`Diagonal`)."""

    def __init__(self, out_shape: tuple, offset: int, axis1: int, axis2: int) -> None:
        self.out_shape = tuple(out_shape)
        self.offset = offset
        self.axis1 = axis1
        self.axis2 = axis2

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        gx = xp.zeros(self.out_shape, gy.dtype)
        ndim = len(self.out_shape)
        a1, a2 = self.axis1 % ndim, self.axis2 % ndim
        rows, cols = _diagonal_index(self.out_shape, self.offset, a1, a2)
        view = xp.moveaxis(gx, (a1, a2), (-2, -1))
        view[..., xp.asarray(rows), xp.asarray(cols)] = gy
        return gx,

    def backward(self, indexes, grad_outputs):
        return Diagonal(self.offset, self.axis1, self.axis2).apply(grad_outputs)


def diagonal(x: VariableOrArray, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Variable:
    """Takes the diagonal (with ``offset``) over the axes ``axis1`` and ``axis2`` of ``x``."""
    return Diagonal(offset, axis1, axis2).apply((x,))[0]
