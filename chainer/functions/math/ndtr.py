"""Standard normal cumulative distribution function."""
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

_INV_SQRT_2PI = (2 * numpy.pi) ** -0.5


class Ndtr(UnarySpecial):
    """Elementwise cumulative distribution function of the standard normal distribution."""

    _name = 'ndtr'
    _input_name = None

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # The standard normal density.
        return _INV_SQRT_2PI * exp(-0.5 * x ** 2) * grad_outputs[0],


def ndtr(x: VariableOrArray) -> Variable:
    """Elementwise cumulative distribution function of the standard normal distribution."""
    return Ndtr().apply((x,))[0]
