"""Elementwise linear interpolation ``p * x + (1 - p) * y``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class LinearInterpolate(function_node.FunctionNode):
    """``p * x + (1 - p) * y`` for arrays of one shape and dtype."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('p', 'x', 'y'))
        p_type, x_type, y_type = in_types
        type_check.expect(
            p_type.dtype.kind == 'f',
            x_type.dtype == p_type.dtype,
            y_type.dtype == p_type.dtype,
            p_type.shape == x_type.shape,
            p_type.shape == y_type.shape,
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        p, x, y = inputs
        one = p.dtype.type(1)
        return utils.force_array(p * x + (one - p) * y),

    def backward(self, indexes, grad_outputs):
        p, x, y = self.get_retained_inputs()
        g, = grad_outputs
        xg = g * p
        return g * (x - y), xg, g - xg


def linear_interpolate(p: VariableOrArray, x: VariableOrArray, y: VariableOrArray) -> Variable:
    """Elementwise ``p * x + (1 - p) * y`` (all three of one shape and dtype)."""
    return LinearInterpolate().apply((p, x, y))[0]
