"""Concatenated rectified linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING


from chainer import backend
from chainer import function_node
from chainer.functions.array.get_item import get_item
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class CReLU(function_node.FunctionNode):
    """``concat((relu(x), relu(-x)), axis)``."""

    def __init__(self, axis: int = 1):
        if not type_check._is_int(axis):
            raise TypeError(f'axis must be an integer value, got {type(axis).__name__}')
        self.axis = int(axis)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim > self.axis,
            x_type.ndim >= -self.axis,
        )

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        axis = self.axis % x.ndim
        self._axis = axis
        shape = list(x.shape)
        shape[axis] *= 2
        y = xp.empty(tuple(shape), dtype=x.dtype)
        n = x.shape[axis]
        lead = (slice(None),) * axis
        zero = x.dtype.type(0)
        # maximum(0, v) keeps the sign of a zero v, as Chainer's did (its output
        # prints -0. where x is 0 in the second half)
        xp.maximum(zero, x, out=y[lead + (slice(0, n),)])
        xp.maximum(zero, -x, out=y[lead + (slice(n, 2 * n),)])
        return y,

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0].array
        gy, = grad_outputs
        n = x.shape[self._axis]
        lead = (slice(None),) * self._axis
        gy_pos = get_item(gy, lead + (slice(0, n),))
        gy_neg = get_item(gy, lead + (slice(n, 2 * n),))
        return gy_pos * (x > 0) - gy_neg * (x < 0),


def crelu(x: VariableOrArray, axis: int = 1) -> Variable:
    """Concatenated ReLU: ``relu(x)`` and ``relu(-x)`` joined along ``axis``.

    The output is twice as long as ``x`` along ``axis``.

    Args:
        x: Input Variable or array of a float dtype.
        axis (int): The axis along which the two halves are concatenated.

    Returns:
        ~chainer.Variable: Output Variable.
    """
    y, = CReLU(axis).apply((x,))
    return y
