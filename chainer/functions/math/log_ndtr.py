"""Logarithm of the standard normal cumulative distribution function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.math._special import special as _special
from chainer import utils
from chainer.functions.math.erfcx import erfcx
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_INV_SQRT_2 = float(1.0 / numpy.sqrt(2.0))
_SQRT_2_OVER_PI = float(numpy.sqrt(2.0 / numpy.pi))


class LogNdtr(function_node.FunctionNode):
    """Elementwise logarithm of :func:`ndtr`, accurate far into the lower tail."""

    is_elementwise = True

    @property
    def label(self):
        return 'log_ndtr'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'log_ndtr'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # density(x) / ndtr(x) = sqrt(2 / pi) / erfcx(-x / sqrt(2)): no underflow
        # for very negative x, where both density and ndtr vanish.
        return grad_outputs[0] / erfcx(x * -_INV_SQRT_2) * _SQRT_2_OVER_PI,


def log_ndtr(x: VariableOrArray) -> Variable:
    """Elementwise logarithm of :func:`ndtr`, accurate far into the lower tail."""
    return LogNdtr().apply((x,))[0]
