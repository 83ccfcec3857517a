"""Square root and its reciprocal."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Sqrt(function_node.FunctionNode):
    """Elementwise square root."""

    is_elementwise = True

    @property
    def label(self):
        return 'sqrt'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).sqrt(x)),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return grad_outputs[0] / (y * 2.0),


def sqrt(x: VariableOrArray) -> Variable:
    """Elementwise square root."""
    return Sqrt().apply((x,))[0]


def rsqrt(x: VariableOrArray) -> Variable:
    """Elementwise reciprocal of the square root, ``1 / sqrt(x)``."""
    return 1.0 / sqrt(x)
