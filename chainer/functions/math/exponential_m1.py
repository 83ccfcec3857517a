"""``exp(x) - 1``, accurate near zero."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._unary import Unary
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Expm1(Unary):
    """Elementwise ``exp(x) - 1``."""

    _name = 'expm1'
    _keeps_x = False
    _keeps_y = True

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # expm1' = exp = expm1 + 1
        return grad_outputs[0] * (y + 1.0),


def expm1(x: VariableOrArray) -> Variable:
    """Elementwise ``exp(x) - 1``, precise for small ``x``."""
    return Expm1().apply((x,))[0]
