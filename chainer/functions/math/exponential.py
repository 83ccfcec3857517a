"""Exponential and logarithms."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Exp(function_node.FunctionNode):
    """Elementwise exponential."""

    is_elementwise = True

    @property
    def label(self):
        return 'exp'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        xp = backend.get_array_module(x)
        return utils.force_array(xp.exp(x)),

    def backward(self, indexes, gy):
        y = self.get_retained_outputs()[0]
        return y * gy[0],


def exp(x: VariableOrArray) -> Variable:
    """Elementwise exponential ``e ** x``."""
    return Exp().apply((x,))[0]


class _LogBase(function_node.FunctionNode):
    """Logarithm in a fixed base: ``log_b(x) = log(x) / log(b)`` (``_base`` None:
    the natural logarithm)."""

    is_elementwise = True
    _ufunc = 'log'
    _base = None

    @property
    def label(self):
        return self._ufunc

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        return utils.force_array(getattr(xp, self._ufunc)(x)),

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

    _ufunc = 'log2'
    _base = 2.0


def log2(x: VariableOrArray) -> Variable:
    """Elementwise base-2 logarithm."""
    return Log2().apply((x,))[0]


class Log10(_LogBase):
    """Elementwise base-10 logarithm."""

    _ufunc = 'log10'
    _base = 10.0


def log10(x: VariableOrArray) -> Variable:
    """Elementwise base-10 logarithm."""
    return Log10().apply((x,))[0]
