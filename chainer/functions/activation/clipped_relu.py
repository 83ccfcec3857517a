"""Clipped rectified linear unit ``min(max(x, 0), z)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class ClippedReLU(function_node.FunctionNode):
    """Elementwise ``min(max(x, 0), z)``."""

    is_elementwise = True

    def __init__(self, z: float):
        if not isinstance(z, float):
            raise TypeError(f'z must be float value, got {type(z).__name__}')
        if not z > 0:
            raise _ValueAssertionError(f'z must be positive, got {z}')
        self.cap = z

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        return utils.force_array(xp.clip(x, 0, self.cap).astype(x.dtype, copy=False)),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0].array
        return ClippedReLUGrad2(x, self.cap).apply(grad_outputs)


class ClippedReLUGrad2(function_node.FunctionNode):
    """``gy * (0 < x < z)`` for a fixed input ``x``; linear in ``gy``, so its
    gradient is again this node (the second derivative is 0 a.e.)."""

    is_elementwise = True

    def __init__(self, x, z: float):
        self.x = x
        self.cap = z

    def forward(self, inputs):
        gy, = inputs
        x = self.x
        mask = (x > 0) & (x < self.cap)
        return utils.force_array(gy * mask, gy.dtype),

    def backward(self, indexes, grad_outputs):
        return type(self)(self.x, self.cap).apply(grad_outputs)


ClippedReLUGrad = ClippedReLUGrad2


class ClippedReLUGrad3(ClippedReLUGrad2):
    """:class:`ClippedReLUGrad2` that is also given the output ``y`` (Chainer's cuDNN
    variant; the mask is computed from ``x`` alike on every backend)."""

    def __init__(self, x, y, z: float):
        super().__init__(x, z)
        self.y = y

    def backward(self, indexes, grad_outputs):
        return ClippedReLUGrad3(self.x, self.y, self.cap).apply(grad_outputs)


def clipped_relu(x: VariableOrArray, z: float = 20.0) -> Variable:
    """Clipped rectified linear unit ``min(max(x, 0), z)``, elementwise.

    Args:
        x: Input Variable or array of a float dtype.
        z (float): The clipping value (a positive float).

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = ClippedReLU(z).apply((x,))
    return y


def relu6(x: VariableOrArray) -> Variable:
    """Rectified linear unit clipped at 6, ``min(max(x, 0), 6)``, elementwise.

    Args:
        x: Input Variable or array of a float dtype.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = ClippedReLU(6.0).apply((x,))
    return y
