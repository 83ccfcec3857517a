"""Elementwise squared error."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class SquaredError(function_node.FunctionNode):
    """``(x0 - x1) ** 2`` elementwise."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('x0', 'x1'), same_shape=True)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x0, x1 = inputs
        diff = x0 - x1
        return utils.force_array(diff * diff, x0.dtype),

    def backward(self, indexes, grad_outputs):
        x0, x1 = self.get_retained_inputs()
        gx0 = grad_outputs[0] * (x0 - x1) * 2.0
        return tuple(gx0 if i == 0 else -gx0 for i in indexes)


def squared_error(x0: VariableOrArray, x1: VariableOrArray) -> Variable:
    """Elementwise squared difference ``(x0 - x1) ** 2`` (same shape as the inputs)."""
    return SquaredError().apply((x0, x1))[0]


def squared_difference(x1: VariableOrArray, x2: VariableOrArray) -> Variable:
    """Elementwise squared difference ``(x1 - x2) ** 2``: :func:`squared_error`
    under another name (one ``SquaredError`` node, as in Chainer)."""
    return SquaredError().apply((x1, x2))[0]
