"""Gauss error function."""
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

_TWO_OVER_SQRT_PI = 2 / numpy.pi ** 0.5


class Erf(UnarySpecial):
    """Elementwise error function ``erf(x)``."""

    _name = 'erf'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # erf'(x) = 2 / sqrt(pi) * exp(-x ** 2)
        return _TWO_OVER_SQRT_PI * exp(-x ** 2) * grad_outputs[0],


def erf(x: VariableOrArray) -> Variable:
    """Elementwise error function ``erf(x)``."""
    return Erf().apply((x,))[0]
