"""Standard normal cumulative distribution function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.math._special import special as _special
from chainer import utils
from chainer.functions.math.exponential import exp
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_INV_SQRT_2PI = float(1.0 / numpy.sqrt(2.0 * numpy.pi))


class Ndtr(function_node.FunctionNode):
    """Elementwise cumulative distribution function of the standard normal distribution."""

    is_elementwise = True

    @property
    def label(self):
        return 'ndtr'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'ndtr'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # The standard normal density.
        return grad_outputs[0] * exp(x * x * -0.5) * _INV_SQRT_2PI,


def ndtr(x: VariableOrArray) -> Variable:
    """Elementwise cumulative distribution function of the standard normal distribution."""
    return Ndtr().apply((x,))[0]
