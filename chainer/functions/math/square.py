"""Elementwise square."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Square(function_node.FunctionNode):
    """Elementwise ``x * x``."""

    is_elementwise = True

    @property
    def label(self):
        return 'square'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).square(x)),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # (gy * 2) * x, Chainer's order: where float16 overflows depends on it.
        return grad_outputs[0] * 2.0 * x,


def square(x: VariableOrArray) -> Variable:
    """Elementwise square ``x ** 2``."""
    return Square().apply((x,))[0]
