"""Reversing the order of elements along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _flip(array, axis: int):
    """``array`` reversed along ``axis`` (a view)."""
    index = [slice(None)] * array.ndim
    index[axis] = slice(None, None, -1)
    return array[tuple(index)]


class Flip(function_node.FunctionNode):
    """Reverses the elements along ``axis``."""

    def __init__(self, axis: int) -> None:
        self.axis = argument._int(axis, 'axis')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type = in_types[0]
        type_check.expect(x_type.ndim > 0)
        type_check._expect_axes(x_type, self.axis, negative='>=')

    def forward(self, inputs):
        return _flip(inputs[0], self.axis),

    def backward(self, indexes, grad_outputs):
        return Flip(self.axis).apply(grad_outputs)


def flip(x: VariableOrArray, axis: int) -> Variable:
    """Reverses the order of the elements of ``x`` along ``axis``."""
    return Flip(axis).apply((x,))[0]
