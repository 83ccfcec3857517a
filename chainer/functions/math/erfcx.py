"""Scaled complementary error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_TWO_OVER_SQRT_PI = float(2.0 / numpy.sqrt(numpy.pi))


class Erfcx(UnarySpecial):
    """Elementwise scaled complementary error function ``exp(x ** 2) * erfc(x)``."""

    _name = 'erfcx'
    _input_name = None
    _keeps_y = True

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        # erfcx'(x) = 2 x erfcx(x) - 2 / sqrt(pi)
        return grad_outputs[0] * (x * y * 2.0 - _TWO_OVER_SQRT_PI),


def erfcx(x: VariableOrArray) -> Variable:
    """Elementwise scaled complementary error function ``exp(x ** 2) * erfc(x)``."""
    return Erfcx().apply((x,))[0]
