"""Hurwitz zeta function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import function_node
from chainer import utils
from chainer.functions.math._special import special as _special
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Zeta(function_node.FunctionNode):
    """Elementwise Hurwitz zeta ``zeta(x, q)`` of a constant ``x``, differentiable in ``q``."""

    is_elementwise = True

    def __init__(self, x):
        self._x = x

    @property
    def label(self):
        return 'zeta'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'q')

    def forward(self, inputs):
        self.retain_inputs((0,))
        q, = inputs
        return utils.force_array(_special(q, 'zeta', self._x), q.dtype),

    def backward(self, indexes, grad_outputs):
        q, = self.get_retained_inputs()
        x = self._x
        # d/dq zeta(x, q) = -x * zeta(x + 1, q)
        gq = grad_outputs[0] * -x * zeta(x + 1, q)
        return sum_to(gq, q.shape),


def zeta(x: float, q: VariableOrArray) -> Variable:
    """Elementwise Hurwitz zeta function ``sum_k (k + q) ** -x``.

    Args:
        x: Constant order (a scalar or an array); no gradient flows to it.
        q: Float input variable, differentiable.
    """
    if isinstance(x, chainer.Variable):
        x = x.array
    return Zeta(x).apply((q,))[0]
