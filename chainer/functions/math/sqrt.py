"""Square root and its reciprocal."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend  # NOQA: F401 (a name of Chainer's module)
from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._unary import Unary
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Sqrt(Unary):
    """Elementwise square root."""

    _name = 'sqrt'
    _keeps_x = False
    _keeps_y = True

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return grad_outputs[0] / (y * 2.0),


def sqrt(x: VariableOrArray) -> Variable:
    """Elementwise square root."""
    return Sqrt().apply((x,))[0]


def rsqrt(x: VariableOrArray) -> Variable:
    """Elementwise reciprocal of the square root, ``1 / sqrt(x)``."""
    return 1.0 / sqrt(x)
