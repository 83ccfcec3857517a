"""Interchanging two axes of an array."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Swapaxes(function_node.FunctionNode):
    """Swaps two axes of an array."""

    def __init__(self, axis1: int, axis2: int) -> None:
        self.axis1 = axis1
        self.axis2 = axis2

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type = in_types[0]
        with type_check._failing_as(type_check._InvalidAxis):
            type_check._expect_axes(x_type, self.axis1, self.axis2)

    def forward(self, inputs):
        x, = inputs
        return x.swapaxes(self.axis1, self.axis2),

    def backward(self, indexes, grad_outputs):
        return Swapaxes(self.axis1, self.axis2).apply(grad_outputs)


def swapaxes(x: VariableOrArray, axis1: int, axis2: int) -> Variable:
    """Interchanges the axes ``axis1`` and ``axis2`` of ``x``."""
    return Swapaxes(axis1, axis2).apply((x,))[0]
