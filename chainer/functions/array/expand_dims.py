"""Inserting an axis of length one."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.functions.array.reshape import reshape
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class ExpandDims(function_node.FunctionNode):
    """Inserts an axis of length one at ``axis``."""

    def __init__(self, axis) -> None:
        self.axis = int(axis)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        if self.axis >= 0:
            type_check.expect(x_type.ndim >= self.axis)
        else:
            type_check.expect(x_type.ndim >= -self.axis - 1)

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        xp = backend.get_array_module(x)
        return xp.expand_dims(x, self.axis),

    def backward(self, indexes, grad_outputs):
        return reshape(grad_outputs[0], self._in_shape),


def expand_dims(x: VariableOrArray, axis: int) -> Variable:
    """Inserts an axis of length one into ``x`` at position ``axis`` (may be negative)."""
    return ExpandDims(axis).apply((x,))[0]
