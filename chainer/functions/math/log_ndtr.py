"""Logarithm of the standard normal cumulative distribution function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math.erfcx import erfcx
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_INV_SQRT_2 = float(1.0 / numpy.sqrt(2.0))
_SQRT_2_OVER_PI = float(numpy.sqrt(2.0 / numpy.pi))


class LogNdtr(UnarySpecial):
    """Elementwise logarithm of :func:`ndtr`, accurate far into the lower tail."""

    _name = 'log_ndtr'
    _input_name = None

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # density(x) / ndtr(x) = sqrt(2 / pi) / erfcx(-x / sqrt(2)): no underflow
        # for very negative x, where both density and ndtr vanish. The constant is
        # divided first, as in Chainer: gy / erfcx overflows float16 beyond x = -50000
        return _SQRT_2_OVER_PI / erfcx(x * -_INV_SQRT_2) * grad_outputs[0],


def log_ndtr(x: VariableOrArray) -> Variable:
    """Elementwise logarithm of :func:`ndtr`, accurate far into the lower tail."""
    return LogNdtr().apply((x,))[0]
