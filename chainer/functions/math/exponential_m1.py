"""``exp(x) - 1``, accurate near zero."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Expm1(function_node.FunctionNode):
    """Elementwise ``exp(x) - 1``."""

    is_elementwise = True

    @property
    def label(self):
        return 'expm1'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(backend.get_array_module(x).expm1(x)),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # expm1' = exp = expm1 + 1
        return grad_outputs[0] * (y + 1.0),


def expm1(x: VariableOrArray) -> Variable:
    """Elementwise ``exp(x) - 1``, precise for small ``x``."""
    return Expm1().apply((x,))[0]
