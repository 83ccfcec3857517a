"""Digamma function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import UnarySpecial
from chainer.functions.math.polygamma import polygamma
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class DiGamma(UnarySpecial):
    """Elementwise digamma function, the derivative of :func:`lgamma`."""

    _name = 'digamma'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        xp = backend.get_array_module(x.array)
        one = xp.ones((), dtype=numpy.int32)
        return grad_outputs[0] * polygamma(one, x),


def digamma(x: VariableOrArray) -> Variable:
    """Elementwise digamma function, the derivative of :func:`lgamma`."""
    return DiGamma().apply((x,))[0]
