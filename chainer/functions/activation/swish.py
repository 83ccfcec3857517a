"""Swish ``x * sigmoid(beta * x)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer import utils
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.prelu import _extended_shape
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import sum_to
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Swish(function_node.FunctionNode):
    """``x * sigmoid(beta * x)`` with ``beta`` along axes 1, 2, ... of ``x``."""

    def check_type_forward(self, in_types):
        # Chainer's checks (PReLU's differ in their order and operands).
        type_check._argname(in_types, ('x', 'beta'))
        x_type, beta_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            beta_type.dtype == x_type.dtype,
            beta_type.ndim <= x_type.ndim - 1,
            beta_type.shape == x_type.shape[1:1 + type_check.eval(beta_type.ndim)],
        )

    def forward(self, inputs):
        x, beta = inputs
        self.retain_inputs((0, 1))
        b = beta.reshape(_extended_shape(beta.shape, x.ndim))
        return utils.force_array(x * array_utils.sigmoid(b * x), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, beta = self.get_retained_inputs()
        gy, = grad_outputs
        ext = _extended_shape(beta.shape, x.ndim)
        b = broadcast_to(reshape(beta, ext), x.shape)
        s = sigmoid(b * x)
        ds = s * (1.0 - s)
        ret = []
        if 0 in indexes:
            ret.append(gy * (s + b * x * ds))
        if 1 in indexes:
            gb = sum_to(gy * x * x * ds, ext)
            ret.append(reshape(gb, beta.shape))
        return tuple(ret)


def swish(x: VariableOrArray, beta: VariableOrArray) -> Variable:
    """Swish activation ``x * sigmoid(beta * x)``.

    ``beta`` is shared over the first axis (the batch) and over the axes of
    ``x`` after ``1 + beta.ndim``; its shape must equal ``x.shape[1:1 + beta.ndim]``.

    Args:
        x: Input Variable or array of a float dtype.
        beta: Variable or array of the same dtype.

    Returns:
        ~chainer.Variable: Output of the shape and dtype of ``x``.
    """
    y, = Swish().apply((x, beta))
    return y
