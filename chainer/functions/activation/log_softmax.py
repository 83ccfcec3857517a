"""Logarithm of the softmax along an axis."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.activation.softmax import _check_axis, _check_axis_arg
from chainer.utils.array import compute_dtype
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.math.exponential import exp
from chainer.functions.math.sum import sum as _sum


def _logsumexp(x, axis: int):
    """``log(sum(exp(x), axis, keepdims=True))`` with the max shifted out."""
    xp = backend.get_array_module(x)
    m = x.max(axis=axis, keepdims=True)
    s = xp.exp(x - m).sum(axis=axis, keepdims=True)
    return m + xp.log(s)


class LogSoftmax(function_node.FunctionNode):
    """``x - logsumexp(x, axis)``."""

    def __init__(self, axis: int = 1):
        self.axis = _check_axis_arg(axis)

    def check_type_forward(self, in_types):
        _check_axis(in_types, self.axis)

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        if x.size == 0:
            return x.copy(),
        h = x.astype(compute_dtype(x.dtype), copy=False)
        y = h - _logsumexp(h, self.axis)
        return utils.force_array(y.astype(x.dtype, copy=False)),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return _LogSoftmaxGrad(self.axis).apply((y, grad_outputs[0]))


class _LogSoftmaxGrad(function_node.FunctionNode):
    """``gy - exp(y) * sum(gy, axis)``: the log-softmax gradient given its output."""

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        if y.size == 0:
            return gy.copy(),
        xp = backend.get_array_module(y)
        dtype = compute_dtype(y.dtype)
        g = gy.astype(dtype, copy=False)
        gx = g - xp.exp(y.astype(dtype, copy=False)) * g.sum(axis=self.axis, keepdims=True)
        return utils.force_array(gx.astype(y.dtype, copy=False)),

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


def log_softmax(x, axis: int = 1):
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
