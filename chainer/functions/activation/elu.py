"""Exponential linear unit."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check


class ELU(function_node.FunctionNode):
    """Elementwise ``x`` for ``x > 0`` and ``alpha * (exp(x) - 1)`` otherwise."""

    is_elementwise = True

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        t = x.dtype.type
        # expm1 of the clamped value: no overflow warnings from the unused branch.
        neg = xp.expm1(xp.minimum(x, t(0))) * t(self.alpha)
        y = utils.force_array(xp.where(x > 0, x, neg), x.dtype)
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        return y,

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0].array
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        return ELUGrad(self.alpha, x > 0).apply((y,))[0] * gy,


class ELUGrad(function_node.FunctionNode):
    """``dy/dx`` of ELU from its output ``y``: 1 where ``pos``, ``y + alpha``
    elsewhere (``alpha * exp(x)``)."""

    is_elementwise = True

    def __init__(self, alpha: float, pos):
        self.alpha = alpha
        self.pos = pos

    def forward(self, inputs):
        y, = inputs
        xp = backend.get_array_module(y)
        t = y.dtype.type
        gx = xp.where(self.pos, t(1), y + t(self.alpha))
        return utils.force_array(gx, y.dtype),

    def backward(self, indexes, grad_outputs):
        ggx, = grad_outputs
        return ggx * (~self.pos),


def elu(x, alpha: float = 1.0):
    """Exponential linear unit: ``x`` if ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Args:
        x: Input Variable or array of a float dtype.
        alpha (float): Scale of the negative part.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = ELU(alpha=alpha).apply((x,))
    return y
