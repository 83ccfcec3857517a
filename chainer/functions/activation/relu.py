"""Rectified linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.backends import cuda
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_ndarray = numpy.ndarray
_np_maximum = numpy.maximum
_np_multiply = numpy.multiply
_np_greater = numpy.greater
_gpu_ndarray = cuda.ndarray


def _zero(dtype):
    """A read-only 0-d zero of ``dtype``: NumPy compares with it faster than with a
    Python 0, which it first has to resolve to the array's dtype."""
    z = _ZEROS.get(dtype)
    if z is None:
        z = _ZEROS[dtype] = numpy.zeros((), dtype)
        z.flags.writeable = False
    return z


_ZEROS: dict = {}


class ReLU(function_node.FunctionNode):
    """Elementwise ``max(x, 0)``."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        if type(x) is _ndarray:
            return _np_maximum(x, _zero(x.dtype)),
        xp = backend.get_array_module(x)
        return xp.maximum(x, 0, dtype=x.dtype),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return ReLUGrad2(y.array).apply(grad_outputs)

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        return ReLUGrad2(outputs[0]).forward(grad_outputs)


class ReLUGrad2(function_node.FunctionNode):
    """``gy * (y > 0)`` for a fixed ReLU output ``y``; linear in ``gy``, so its
    own gradient is again ``ReLUGrad2`` (the second derivative of ReLU is 0)."""

    is_elementwise = True

    def __init__(self, y):
        self.y = y

    def forward(self, inputs):
        gy, = inputs
        y = self.y
        if type(y) is _ndarray:
            # float * bool keeps the float dtype; an explicit dtype= would
            # select a slower buffered loop.
            return _np_multiply(gy, _np_greater(y, _zero(y.dtype))),
        if type(y) is _gpu_ndarray and gy.dtype == y.dtype:
            # CuPy: one fused kernel instead of a compare and a multiply
            return cuda.elementwise(
                'T gy, T y', 'T gx', 'gx = y > (T)0 ? gy : (T)0', 'rechainer_relu_grad')(gy, y),
        xp = backend.get_array_module(y)
        return xp.multiply(gy, y > 0, dtype=gy.dtype),

    def backward(self, indexes, grad_outputs):
        return ReLUGrad2(self.y).apply(grad_outputs)


def relu(x: VariableOrArray) -> Variable:
    """Rectified linear unit ``max(x, 0)``, elementwise.

    Args:
        x: Input Variable or array of a float dtype.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = ReLU().apply((x,))
    return y
