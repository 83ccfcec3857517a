"""``log(1 + x)``, accurate near zero."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Log1p(function_node.FunctionNode):
    """Elementwise ``log(1 + x)``."""

    is_elementwise = True

    @property
    def label(self):
        return 'log1p'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).log1p(x)),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] / (x + 1.0),


def log1p(x: VariableOrArray) -> Variable:
    """Elementwise ``log(1 + x)``, precise for small ``x``."""
    return Log1p().apply((x,))[0]
