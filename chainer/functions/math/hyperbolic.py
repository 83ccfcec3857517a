"""Hyperbolic sine and cosine."""
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


class Cosh(Unary):
    """Elementwise hyperbolic cosine."""

    _name = 'cosh'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * sinh(x),


def cosh(x: VariableOrArray) -> Variable:
    """Elementwise hyperbolic cosine function."""
    return Cosh().apply((x,))[0]


class Sinh(Unary):
    """Elementwise hyperbolic sine."""

    _name = 'sinh'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * cosh(x),


def sinh(x: VariableOrArray) -> Variable:
    """Elementwise hyperbolic sine function."""
    return Sinh().apply((x,))[0]
