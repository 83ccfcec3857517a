"""Complementary error function."""
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

_TWO_OVER_SQRT_PI = float(2.0 / numpy.sqrt(numpy.pi))


class Erfc(function_node.FunctionNode):
    """Elementwise complementary error function ``1 - erf(x)``."""

    is_elementwise = True

    @property
    def label(self):
        return 'erfc'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'erfc'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * exp(-(x * x)) * -_TWO_OVER_SQRT_PI,


def erfc(x: VariableOrArray) -> Variable:
    """Elementwise complementary error function ``1 - erf(x)``."""
    return Erfc().apply((x,))[0]
