"""Sigmoid cross entropy for binary labels."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.functions.loss import _util
from chainer.utils import type_check


class SigmoidCrossEntropy(function_node.FunctionNode):
    """Cross entropy between ``sigmoid(x)`` and labels in {0, 1} (-1 is ignored)."""

    ignore_label = -1

    def __init__(self, normalize=True, reduce='mean'):
        self.normalize = normalize
        _util.check_reduce(reduce, ('mean', 'no'))
        self.reduce = reduce
        self.count = None

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            t_type.dtype.kind == 'i',
            x_type.shape == t_type.shape,
        )

    def forward(self, inputs):
        x, t = inputs
        xp = backend.get_array_module(x)
        self.retain_inputs((0, 1))
        t_valid = t != self.ignore_label
        self.t_valid = t_valid
        # -(x * t - log(1 + exp(x))) written without overflow
        loss = -(x * (t - (x >= 0)).astype(x.dtype) - xp.log1p(xp.exp(-xp.abs(x)))) * t_valid
        if self.reduce == 'mean':
            if self.normalize:
                count = max(1, int(t_valid.sum()))
            else:
                count = max(1, x.shape[0] if x.ndim else 1)
            self.count = count
            loss = loss.sum() / loss.dtype.type(count)
        return utils.force_array(loss, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        gy, = grad_outputs
        dtype = x.dtype
        coeff = self.t_valid.astype(dtype)
        if self.reduce == 'mean':
            coeff *= dtype.type(1.0 / self.count)
        if not chainer.config.enable_backprop:
            xp = backend.get_array_module(x.array)
            xa = x.array
            y = xp.tanh(xa * dtype.type(0.5)) * dtype.type(0.5) + dtype.type(0.5)
            gx = (y - t.array.astype(dtype)) * coeff
            gx *= gy.array
            return variable.Variable._new(utils.force_array(gx, dtype), False), None
        if self.reduce == 'mean':
            gy = _util.broadcast_to(gy, x.shape)
        gx = gy * ((_util.sigmoid(x) - t.array.astype(dtype)) * coeff)
        return gx, None


def sigmoid_cross_entropy(x, t, normalize=True, reduce='mean'):
    """Cross entropy of ``sigmoid(x)`` against binary labels ``t`` (-1 entries ignored).

    Args:
        x: Float scores.
        t: Integer labels (0, 1, or -1 to ignore) of the same shape as ``x``.
        normalize: With ``reduce='mean'``, divide by the number of used labels (True)
            or by the batch size (False).
        reduce: ``'mean'`` or ``'no'`` (elementwise loss).
    """
    return SigmoidCrossEntropy(normalize, reduce).apply((x, t))[0]
