"""Exponential and logarithms."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend  # NOQA: F401 (a name of Chainer's module)
from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._unary import Unary
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Exp(Unary):
    """Elementwise exponential."""

    _name = 'exp'
    _input_name = None
    _keeps_x = False
    _keeps_y = True

    def backward(self, indexes, gy):
        y = self.get_retained_outputs()[0]
        return y * gy[0],


def exp(x: VariableOrArray) -> Variable:
    """Elementwise exponential ``e ** x``."""
    return Exp().apply((x,))[0]


class _LogBase(Unary):
    """Logarithm in a fixed base: ``log_b(x) = log(x) / log(b)`` (``_base`` None:
    the natural logarithm)."""

    _name = 'log'
    _base = None

    def backward(self, indexes, gy):
        x = self.get_retained_inputs()[0]
        gx = gy[0] / x
        return (gx if self._base is None else gx * (1.0 / numpy.log(self._base))),


class Log(_LogBase):
    """Elementwise natural logarithm."""


def log(x: VariableOrArray) -> Variable:
    """Elementwise natural logarithm."""
    return Log().apply((x,))[0]


class Log2(_LogBase):
    """Elementwise base-2 logarithm."""

    _name = 'log2'
    _base = 2.0


def log2(x: VariableOrArray) -> Variable:
    """Elementwise base-2 logarithm."""
    return Log2().apply((x,))[0]


class Log10(_LogBase):
    """Elementwise base-10 logarithm."""

    _name = 'log10'
    _base = 10.0


def log10(x: VariableOrArray) -> Variable:
    """Elementwise base-10 logarithm."""
    return Log10().apply((x,))[0]
