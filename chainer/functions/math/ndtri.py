"""Inverse of the standard normal cumulative distribution function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.math._special import available_cpu  # NOQA: F401
from chainer.functions.math._special import special as _special
from chainer import utils
from chainer.functions.math.exponential import exp
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_SQRT_2PI = float(numpy.sqrt(2.0 * numpy.pi))


class Ndtri(function_node.FunctionNode):
    """Elementwise inverse of :func:`ndtr` (defined on ``[0, 1]``)."""

    is_elementwise = True

    @property
    def label(self):
        return 'ndtri'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'ndtri'), x.dtype),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        # 1 / density(ndtri(x))
        return grad_outputs[0] * exp(y * y * 0.5) * _SQRT_2PI,


def ndtri(x: VariableOrArray) -> Variable:
    """Elementwise inverse of :func:`ndtr` (defined on ``[0, 1]``)."""
    return Ndtri().apply((x,))[0]
