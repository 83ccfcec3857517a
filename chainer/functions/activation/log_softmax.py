"""Logarithm of the softmax along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.functions.activation.softmax import _AxisSoftmax
from chainer.functions.activation.softmax import _AxisSoftmaxGrad
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.math.exponential import exp
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as _array

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def logsumexp(x, axis: int):
    """``log(sum(exp(x), axis, keepdims=True))`` of an array (not a Variable)."""
    return _array.logsumexp(x, axis)


class LogSoftmax(_AxisSoftmax):
    """``x - logsumexp(x, axis)``."""

    _gpu_code = 'y = (T)((C)x - (m + log(s)))'
    _gpu_name = 'rechainer_log_softmax'

    def _compute(self, x):
        return _array.log_softmax(x, self.axis, dtype=x.dtype)[0]

    def _grad(self):
        return LogSoftmaxGrad(self.axis)


class LogSoftmaxGrad(_AxisSoftmaxGrad):
    """``gy - exp(y) * sum(gy, axis)``: the log-softmax gradient given its output."""

    def _compute(self, y, gy, axis, out=None, own=False):
        t = numpy.exp(y, out=y if own else out)
        t *= _array.sum(gy, axis, True)
        return numpy.subtract(gy, t, out=t)

    def _compute_gpu(self, y, gy):
        s = _array.compute_sum('T gy', '(C)gy', 'rechainer_sum', y.dtype, gy, axis=self.axis)
        return _array.compute_kernel('T y, T gy, C s', 'T gx', 'gx = (T)((C)gy - exp((C)y) * s)',
                                     'rechainer_log_softmax_grad', y.dtype)(y, gy, s)

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        axis = self.axis
        shape = y.shape
        exp_y = exp(y)
        ret = []
        if 0 in indexes:
            s_gy = broadcast_to(_sum(gy, axis=axis, keepdims=True), shape)
            ret.append(-ggx * exp_y * s_gy)
        if 1 in indexes:
            s = broadcast_to(_sum(ggx * exp_y, axis=axis, keepdims=True), shape)
            ret.append(ggx - s)
        return tuple(ret)


def log_softmax(x: VariableOrArray, axis: int = 1) -> Variable:
    """Logarithm of the softmax along ``axis``, computed stably as
    ``x - logsumexp(x, axis)``.

    Args:
        x: Input Variable or array of a float dtype.
        axis (int): The axis along which the softmax is taken.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = LogSoftmax(axis=axis).apply((x,))
    return y
