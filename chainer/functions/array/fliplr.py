"""Flipping an array left/right (along axis 1)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class FlipLR(function_node.FunctionNode):
    """Reverses the elements along axis 1."""

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'a', min_ndim=2)

    def forward(self, inputs):
        a, = inputs
        return a[:, ::-1],

    def backward(self, indexes, grad_outputs):
        return FlipLR().apply(grad_outputs)


def fliplr(a: VariableOrArray) -> Variable:
    """Flips ``a`` (of two or more dimensions) in the left/right direction."""
    return FlipLR().apply((a,))[0]
