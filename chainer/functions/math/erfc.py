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

_TWO_OVER_SQRT_PI = float(2.0 / numpy.sqrt(numpy.pi))


class Erfc(UnarySpecial):
    """Elementwise complementary error function ``1 - erf(x)``."""

    _name = 'erfc'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * exp(-(x * x)) * -_TWO_OVER_SQRT_PI,


def erfc(x: VariableOrArray) -> Variable:
    """Elementwise complementary error function ``1 - erf(x)``."""
    return Erfc().apply((x,))[0]
