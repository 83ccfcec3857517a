"""Inverse of the error function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import math

import numpy

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math.exponential import exp
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

# Chainer's (misspelt) public name of the derivative's constant factor.
BACKWORDC = math.pi ** 0.5 / 2


class ErfInv(UnarySpecial):
    """Elementwise inverse error function (defined on ``[-1, 1]``)."""

    _name = 'erfinv'
    _keeps_x = False
    _keeps_y = True

    def _compute(self, x):
        if type(x) is numpy.ndarray and x.dtype.kind == 'f' and x.dtype.itemsize < 8:
            # Chainer's SciPy computed float32 erfinv in float64 and rounded it (float16
            # through float32); SciPy 1.17's float32 loop is an ulp off for many values.
            from scipy import special

            # (the ufunc rounds its float64 results into y chunk by chunk)
            y = numpy.empty(x.shape, numpy.float32)
            special.erfinv(x, out=y, dtype=numpy.float64, casting='same_kind')
            return y.astype(x.dtype, copy=False)
        return super()._compute(x)

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # erfinv'(x) = sqrt(pi) / 2 * exp(erfinv(x) ** 2)
        return BACKWORDC * exp(y ** 2) * grad_outputs[0],


def erfinv(x: VariableOrArray) -> Variable:
    """Elementwise inverse error function (defined on ``[-1, 1]``)."""
    return ErfInv().apply((x,))[0]
