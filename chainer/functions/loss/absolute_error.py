"""Elementwise absolute error."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class AbsoluteError(function_node.FunctionNode):
    """``|x0 - x1|`` elementwise."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('x0', 'x1'), same_shape=True)

    def forward(self, inputs):
        x0, x1 = inputs
        xp = backend.get_array_module(x0)
        self.diff = x0 - x1
        return utils.force_array(xp.abs(self.diff), x0.dtype),

    def backward(self, indexes, grad_outputs):
        xp = backend.get_array_module(self.diff)
        gx = grad_outputs[0] * xp.sign(self.diff)
        return tuple(gx if i == 0 else -gx for i in indexes)


def absolute_error(x0: VariableOrArray, x1: VariableOrArray) -> Variable:
    """Elementwise absolute difference ``|x0 - x1|`` (same shape as the inputs)."""
    return AbsoluteError().apply((x0, x1))[0]
