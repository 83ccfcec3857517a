"""``log(1 + x)``, accurate near zero."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._unary import Unary
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Log1p(Unary):
    """Elementwise ``log(1 + x)``."""

    _name = 'log1p'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] / (x + 1.0),


def log1p(x: VariableOrArray) -> Variable:
    """Elementwise ``log(1 + x)``, precise for small ``x``."""
    return Log1p().apply((x,))[0]
