"""Softplus ``log(1 + exp(beta * x)) / beta``."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.activation.sigmoid import sigmoid
from chainer.utils import type_check


class Softplus(function_node.FunctionNode):
    """Elementwise ``log(1 + exp(beta * x)) / beta``."""

    is_elementwise = True

    def __init__(self, beta: float = 1.0):
        beta = float(beta)
        if beta == 0:
            raise ZeroDivisionError('beta of softplus must not be zero')
        self.beta = beta
        self.beta_inv = 1.0 / beta

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        t = x.dtype.type
        bx = x * t(self.beta)
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow, no cancellation.
        y = xp.maximum(bx, t(0)) + xp.log1p(xp.exp(-xp.abs(bx)))
        y *= t(self.beta_inv)
        return utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * sigmoid(x * self.beta),


def softplus(x, beta: float = 1.0):
    """Softplus ``log(1 + exp(beta * x)) / beta``, a smooth ReLU.

    Args:
        x: Input Variable or array of a float dtype.
        beta (float): Sharpness; larger values approach ``max(x, 0)``.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = Softplus(beta=beta).apply((x,))
    return y
