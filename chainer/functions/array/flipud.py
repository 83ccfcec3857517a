"""Flipping an array up/down (along axis 0)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class FlipUD(function_node.FunctionNode):
    """Reverses the elements along axis 0."""

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'a', min_ndim=1)

    def forward(self, inputs):
        a, = inputs
        return a[::-1],

    def backward(self, indexes, grad_outputs):
        return FlipUD().apply(grad_outputs)


def flipud(a: VariableOrArray) -> Variable:
    """Flips ``a`` (of one or more dimensions) in the up/down direction."""
    return FlipUD().apply((a,))[0]
