"""Inverse of the standard normal cumulative distribution function."""
from __future__ import annotations

from typing import TYPE_CHECKING

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

_SQRT_2PI = (2 * numpy.pi) ** 0.5


class Ndtri(UnarySpecial):
    """Elementwise inverse of :func:`ndtr` (defined on ``[0, 1]``)."""

    _name = 'ndtri'
    _input_name = None
    _keeps_x = False
    _keeps_y = True

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # 1 / density(ndtri(x))
        return _SQRT_2PI * exp(0.5 * y ** 2) * grad_outputs[0],


def ndtri(x: VariableOrArray) -> Variable:
    """Elementwise inverse of :func:`ndtr` (defined on ``[0, 1]``)."""
    return Ndtri().apply((x,))[0]
