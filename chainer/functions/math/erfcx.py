"""Scaled complementary error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import special as _special
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_TWO_OVER_SQRT_PI = float(2.0 / numpy.sqrt(numpy.pi))


class Erfcx(function_node.FunctionNode):
    """Elementwise scaled complementary error function ``exp(x ** 2) * erfc(x)``."""

    is_elementwise = True

    @property
    def label(self):
        return 'erfcx'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'erfcx'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        # erfcx'(x) = 2 x erfcx(x) - 2 / sqrt(pi)
        return grad_outputs[0] * (x * y * 2.0 - _TWO_OVER_SQRT_PI),


def erfcx(x: VariableOrArray) -> Variable:
    """Elementwise scaled complementary error function ``exp(x ** 2) * erfc(x)``."""
    return Erfcx().apply((x,))[0]
