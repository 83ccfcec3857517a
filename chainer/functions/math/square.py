"""Elementwise square."""
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


class Square(Unary):
    """Elementwise ``x * x``."""

    _name = 'square'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # (gy * 2) * x, Chainer's order: where float16 overflows depends on it.
        return grad_outputs[0] * 2.0 * x,


def square(x: VariableOrArray) -> Variable:
    """Elementwise square ``x ** 2``."""
    return Square().apply((x,))[0]
