"""Hard sigmoid ``clip(0.2 * x + 0.5, 0, 1)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class HardSigmoid(function_node.FunctionNode):
    """Elementwise ``clip(0.2 * x + 0.5, 0, 1)``."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        t = x.dtype.type
        y = xp.clip(x * t(0.2) + t(0.5), 0, 1).astype(x.dtype, copy=False)
        return utils.force_array(y),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0].array
        return HardSigmoidGrad(x).apply(grad_outputs)


class HardSigmoidGrad(function_node.FunctionNode):
    """``0.2 * gy`` where ``-2.5 < x < 2.5`` (0 elsewhere) for a fixed ``x``;
    linear in ``gy``, so its gradient is again this node."""

    is_elementwise = True

    def __init__(self, x):
        self.x = x

    def forward(self, inputs):
        gy, = inputs
        x = self.x
        t = gy.dtype.type
        mask = (x > t(-2.5)) & (x < t(2.5))
        return utils.force_array(gy * mask * t(0.2), gy.dtype),

    def backward(self, indexes, grad_outputs):
        return HardSigmoidGrad(self.x).apply(grad_outputs)


def hard_sigmoid(x: VariableOrArray) -> Variable:
    """Hard sigmoid, a piecewise-linear approximation of the sigmoid.

    ``0`` for ``x < -2.5``, ``0.2 * x + 0.5`` for ``-2.5 <= x <= 2.5`` and
    ``1`` for ``x > 2.5``.

    Args:
        x: Input Variable or array of a float dtype.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = HardSigmoid().apply((x,))
    return y
