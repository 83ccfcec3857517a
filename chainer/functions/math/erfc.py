"""Complementary error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math.exponential import exp
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_MINUS_TWO_OVER_SQRT_PI = -2 / numpy.pi ** 0.5


class Erfc(UnarySpecial):
    """Elementwise complementary error function ``1 - erf(x)``."""

    _name = 'erfc'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return _MINUS_TWO_OVER_SQRT_PI * exp(-x ** 2) * grad_outputs[0],


def erfc(x: VariableOrArray) -> Variable:
    """Elementwise complementary error function ``1 - erf(x)``."""
    return Erfc().apply((x,))[0]
