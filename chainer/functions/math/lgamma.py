"""Logarithm of the absolute value of the gamma function."""
from __future__ import annotations


from typing import TYPE_CHECKING

from chainer import function_node
from chainer.functions.math._special import special as _special
from chainer import utils
from chainer.functions.math.digamma import digamma
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class LGamma(function_node.FunctionNode):
    """Elementwise log-gamma function ``log|Gamma(x)|``."""

    is_elementwise = True

    @property
    def label(self):
        return 'lgamma'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'gammaln'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * digamma(x),


def lgamma(x: VariableOrArray) -> Variable:
    """Elementwise log-gamma function ``log|Gamma(x)|``."""
    return LGamma().apply((x,))[0]
