"""Rearranging spatial blocks into channels."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Space2Depth(function_node.FunctionNode):
    """Moves ``r x r`` spatial blocks into ``r * r`` channel groups."""

    def __init__(self, r: int) -> None:
        self.r = r

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'x', ndim=4)
        X_type = in_types[0]
        with type_check._failing_as(type_check._InvalidValue):
            type_check.expect(
                X_type.shape[2] % self.r == 0,
                X_type.shape[3] % self.r == 0,
            )

    def forward(self, inputs):
        X, = inputs
        r = self.r
        b, c, h, w = X.shape
        X = X.reshape(b, c, h // r, r, w // r, r).transpose(0, 3, 5, 1, 2, 4)
        return X.reshape(b, r * r * c, h // r, w // r),

    def backward(self, indexes, grad_outputs):
        # The inverse partner is looked up through chainer.functions at call time.
        return chainer.functions.depth2space(grad_outputs[0], self.r),


def space2depth(X: VariableOrArray, r: int) -> Variable:
    """Turns ``X`` of shape (B, C, H*r, W*r) into shape (B, C*r*r, H, W)."""
    return Space2Depth(r).apply((X,))[0]
