"""Hyperbolic sine and cosine."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Cosh(function_node.FunctionNode):
    """Elementwise hyperbolic cosine."""

    is_elementwise = True

    @property
    def label(self):
        return 'cosh'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).cosh(x)),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * sinh(x),


def cosh(x: VariableOrArray) -> Variable:
    """Elementwise hyperbolic cosine function."""
    return Cosh().apply((x,))[0]


class Sinh(function_node.FunctionNode):
    """Elementwise hyperbolic sine."""

    is_elementwise = True

    @property
    def label(self):
        return 'sinh'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).sinh(x)),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * cosh(x),


def sinh(x: VariableOrArray) -> Variable:
    """Elementwise hyperbolic sine function."""
    return Sinh().apply((x,))[0]
