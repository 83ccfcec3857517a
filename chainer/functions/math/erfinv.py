"""Inverse of the error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import math

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math.exponential import exp
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

# Chainer's (misspelt) public name of the derivative's constant factor.
BACKWORDC = math.pi ** 0.5 / 2


class ErfInv(UnarySpecial):
    """Elementwise inverse error function (defined on ``[-1, 1]``)."""

    _name = 'erfinv'
    _keeps_x = False
    _keeps_y = True

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # erfinv'(x) = sqrt(pi) / 2 * exp(erfinv(x) ** 2)
        return BACKWORDC * exp(y ** 2) * grad_outputs[0],


def erfinv(x: VariableOrArray) -> Variable:
    """Elementwise inverse error function (defined on ``[-1, 1]``)."""
    return ErfInv().apply((x,))[0]
