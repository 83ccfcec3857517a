"""Digamma function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math._special import special as _special
from chainer.functions.math.polygamma import polygamma
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class DiGamma(function_node.FunctionNode):
    """Elementwise digamma function, the derivative of :func:`lgamma`."""

    is_elementwise = True

    @property
    def label(self):
        return 'digamma'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'digamma'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        xp = backend.get_array_module(x.array)
        one = xp.ones((), dtype=numpy.int32)
        return grad_outputs[0] * polygamma(one, x),


def digamma(x: VariableOrArray) -> Variable:
    """Elementwise digamma function, the derivative of :func:`lgamma`."""
    return DiGamma().apply((x,))[0]
