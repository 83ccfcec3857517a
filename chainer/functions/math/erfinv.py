"""Inverse of the error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import special as _special
from chainer import utils
from chainer.functions.math.exponential import exp
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_HALF_SQRT_PI = float(numpy.sqrt(numpy.pi) / 2.0)
# Chainer's (misspelt) public name of the derivative's constant factor.
BACKWORDC = _HALF_SQRT_PI


class ErfInv(function_node.FunctionNode):
    """Elementwise inverse error function (defined on ``[-1, 1]``)."""

    is_elementwise = True

    @property
    def label(self):
        return 'erfinv'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'erfinv'), x.dtype),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # erfinv'(x) = sqrt(pi) / 2 * exp(erfinv(x) ** 2)
        return grad_outputs[0] * exp(y * y) * _HALF_SQRT_PI,


def erfinv(x: VariableOrArray) -> Variable:
    """Elementwise inverse error function (defined on ``[-1, 1]``)."""
    return ErfInv().apply((x,))[0]
