"""Inverse of the complementary error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math.exponential import exp
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_HALF_SQRT_PI = float(numpy.sqrt(numpy.pi) / 2.0)
# Chainer's (misspelt) public name of the derivative's constant factor.
BACKWORDC = -_HALF_SQRT_PI


class ErfcInv(UnarySpecial):
    """Elementwise inverse complementary error function (defined on ``[0, 2]``)."""

    _name = 'erfcinv'
    _input_name = None
    _keeps_x = False
    _keeps_y = True

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return grad_outputs[0] * exp(y * y) * -_HALF_SQRT_PI,


def erfcinv(x: VariableOrArray) -> Variable:
    """Elementwise inverse complementary error function (defined on ``[0, 2]``)."""
    return ErfcInv().apply((x,))[0]
