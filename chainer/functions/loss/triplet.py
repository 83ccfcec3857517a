"""Triplet loss."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Triplet(_util.MarginLoss):
    """``max(||a - p||^2 - ||a - n||^2 + margin, 0)``."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('anchor', 'positive', 'negative'))
        a_type, p_type, n_type = in_types
        type_check.expect(
            a_type.dtype.kind == 'f',
            a_type.dtype == p_type.dtype,
            a_type.dtype == n_type.dtype,
            a_type.shape == p_type.shape,
            a_type.shape == n_type.shape,
        )
        # Chainer summed over axis 1, where NumPy raised AxisError.
        with type_check._failing_as(type_check._InvalidAxis):
            type_check.expect(a_type.ndim >= 2)
        type_check.expect(a_type.shape[0] > 0)

    def forward(self, inputs):
        a, p, n = inputs
        xp = backend.get_array_module(a)
        self.retain_inputs((0, 1, 2))
        dp = a - p
        dp *= dp
        dn = a - n
        dn *= dn
        dp -= dn
        dist = array_utils.sum(dp, 1) + a.dtype.type(self.margin)
        self.mask = dist > 0
        loss = xp.maximum(dist, 0)
        return self._reduced(loss),

    def backward(self, indexes, grad_outputs):
        a, p, n = self.get_retained_inputs()
        gy, = grad_outputs
        batch = a.shape[0]
        coeff = self.mask.astype(a.dtype) * 2
        if self.reduce == 'mean':
            g = broadcast_to(gy, coeff.shape) * (coeff / batch)
        else:
            g = gy * coeff
        g = broadcast_to(reshape(g, (batch, 1) + coeff.shape[1:]), a.shape)
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(g * (n - p))
            elif i == 1:
                ret.append(g * (p - a))
            else:
                ret.append(g * (a - n))
        return tuple(ret)


def triplet(anchor: VariableOrArray, positive: VariableOrArray, negative: VariableOrArray,
            margin: float = 0.2, reduce: str = 'mean') -> Variable:
    """Triplet loss of embeddings (N, D): pull ``positive`` closer to ``anchor`` than
    ``negative`` by ``margin``.

    Args:
        reduce: ``'mean'`` or ``'no'`` (one loss per triplet).
    """
    return Triplet(margin, reduce).apply((anchor, positive, negative))[0]
