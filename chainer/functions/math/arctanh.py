"""Inverse hyperbolic tangent."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Arctanh(function_node.FunctionNode):
    """Elementwise inverse hyperbolic tangent."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).arctanh(x)),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return 1. / (1 - x ** 2) * grad_outputs[0],


def arctanh(x: VariableOrArray) -> Variable:
    """Elementwise inverse hyperbolic tangent function (defined on ``(-1, 1)``)."""
    return Arctanh().apply((x,))[0]
