"""Huber loss."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.loss import _util
from chainer.utils import type_check


class HuberLoss(function_node.FunctionNode):
    """Quadratic for ``|x - t| <= delta`` and linear beyond."""

    def __init__(self, delta, reduce='sum_along_second_axis'):
        self.delta = delta
        _util.check_reduce(reduce, ('sum_along_second_axis', 'no'))
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.dtype == t_type.dtype,
            x_type.shape == t_type.shape,
        )
        if self.reduce == 'sum_along_second_axis':
            type_check.expect(x_type.ndim >= 2)

    def forward(self, inputs):
        x, t = inputs
        xp = backend.get_array_module(x)
        self.retain_inputs((0, 1))
        diff = x - t
        delta = x.dtype.type(self.delta)
        abs_diff = xp.abs(diff)
        self.mask = abs_diff <= delta
        half = x.dtype.type(0.5)
        loss = xp.where(self.mask, half * diff * diff, delta * (abs_diff - half * delta))
        if self.reduce == 'sum_along_second_axis':
            loss = loss.sum(axis=1)
        return utils.force_array(loss, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        xp = backend.get_array_module(x.array)
        gy, = grad_outputs
        mask = self.mask
        if not chainer.config.enable_backprop:
            d = x.array - t.array
            delta = d.dtype.type(self.delta)
            g = xp.where(mask, d, xp.sign(d) * delta)
            g_out = gy.array
            if self.reduce == 'sum_along_second_axis':
                g_out = xp.expand_dims(g_out, 1)
            g *= g_out
            return _util.constant_grads(indexes, utils.force_array(g))
        diff = x - t
        # Inside the quadratic zone the gradient is diff (it has a second derivative);
        # outside it is the constant delta * sign(diff).
        const = (xp.sign(diff.array) * x.dtype.type(self.delta)) * ~mask
        gx = diff * mask.astype(x.dtype) + const
        if self.reduce == 'sum_along_second_axis':
            gy = _util.broadcast_to(_util.reshape(gy, gy.shape[:1] + (1,) + gy.shape[1:]),
                                    x.shape)
        gx = gy * gx
        ret = []
        if 0 in indexes:
            ret.append(gx)
        if 1 in indexes:
            ret.append(-gx)
        return tuple(ret)


def huber_loss(x, t, delta, reduce='sum_along_second_axis'):
    """Huber loss: ``(x - t) ** 2 / 2`` where ``|x - t| <= delta``, else
    ``delta * (|x - t| - delta / 2)``.

    Args:
        x, t: Arrays of the same shape.
        delta: The threshold between the quadratic and the linear part.
        reduce: ``'sum_along_second_axis'`` (sum over axis 1) or ``'no'``.
    """
    return HuberLoss(delta=delta, reduce=reduce).apply((x, t))[0]
