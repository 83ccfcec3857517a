"""Hinge loss for multi-class classification."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.functions.loss import _util
from chainer.utils import type_check


class Hinge(function_node.FunctionNode):
    """``max(0, 1 - x_t)`` for the true class and ``max(0, 1 + x_j)`` for the others."""

    def __init__(self, norm='L1', reduce='mean'):
        if norm not in ('L1', 'L2'):
            raise NotImplementedError("norm should be either 'L1' or 'L2'")
        self.norm = norm
        _util.check_reduce(reduce, ('mean', 'no'))
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            t_type.dtype.kind == 'i',
            x_type.ndim == 2,
            t_type.ndim == 1,
            x_type.shape[0] == t_type.shape[0],
        )

    def forward(self, inputs):
        x, t = inputs
        xp = backend.get_array_module(x)
        if t.size and (int(t.min()) < 0 or int(t.max()) >= x.shape[1]):
            raise ValueError('Each label `t` need to satisfy `0 <= t < x.shape[1]`')
        self.retain_inputs((0,))
        # sign is -1 at the true class and +1 elsewhere
        sign = xp.ones(x.shape, x.dtype)
        sign[xp.arange(len(t)), t] = -1
        self.sign = sign
        margin = xp.maximum(1 + sign * x, 0)
        self.mask = margin > 0
        loss = margin if self.norm == 'L1' else margin * margin
        if self.reduce == 'mean':
            loss = loss.sum() / x.dtype.type(max(len(x), 1))
        return utils.force_array(loss, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        gy, = grad_outputs
        coeff = self.sign * self.mask
        if not chainer.config.enable_backprop:
            if self.norm == 'L1':
                gx = coeff
            else:
                gx = (x.array * self.sign + 1) * (2 * coeff)
            g = gy.array
            if self.reduce == 'mean':
                g = g * x.dtype.type(1.0 / max(len(x), 1))
            return variable.Variable._new(utils.force_array(gx * g, x.dtype), False), None
        if self.norm == 'L1':
            gx = coeff
            if self.reduce == 'mean':
                gx = gx * x.dtype.type(1.0 / max(len(x), 1))
            gx = _util.broadcast_to(gy, x.shape) * gx
        else:
            gx = (x * self.sign + 1.0) * (2 * coeff)
            if self.reduce == 'mean':
                gx = gx * (1.0 / max(len(x), 1))
            gx = _util.broadcast_to(gy, x.shape) * gx
        return gx, None


def hinge(x, t, norm='L1', reduce='mean'):
    """Hinge loss of scores ``x`` (N, C) for integer labels ``t`` (N,).

    Args:
        norm: ``'L1'`` or ``'L2'`` (squared hinge).
        reduce: ``'mean'`` (summed and divided by N) or ``'no'`` (shape of ``x``).
    """
    return Hinge(norm, reduce).apply((x, t))[0]
