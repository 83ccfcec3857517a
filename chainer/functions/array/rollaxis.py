"""Rolling an axis backwards to a position."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.array.transpose import transpose
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Rollaxis(function_node.FunctionNode):
    """Rolls the axis ``axis`` so that it lies before ``start`` (like ``numpy.rollaxis``)."""

    def __init__(self, axis: int, start: int) -> None:
        self.axis = argument._int(axis, 'axis')
        self.start = argument._int(start, 'start')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type = in_types[0]
        type_check._expect_axes(x_type, self.axis)
        if self.start >= 0:
            type_check.expect(x_type.ndim >= self.start)
        else:
            type_check.expect(x_type.ndim > -self.start - 1)

    def forward(self, inputs):
        x, = inputs
        n = x.ndim
        axis = self.axis % n
        start = self.start + n if self.start < 0 else self.start
        if axis < start:
            start -= 1
        perm = list(range(n))
        perm.remove(axis)
        perm.insert(start, axis)
        self._perm = tuple(perm)
        return x.transpose(self._perm),

    def backward(self, indexes, grad_outputs):
        inv = tuple(int(i) for i in numpy.argsort(self._perm))
        return transpose(grad_outputs[0], inv),


def rollaxis(x: VariableOrArray, axis: int, start: int = 0) -> Variable:
    """Rolls the axis ``axis`` of ``x`` backwards until it lies before ``start``."""
    return Rollaxis(axis, start).apply((x,))[0]
