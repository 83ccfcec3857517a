"""Contrastive loss."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.functions.math.maximum import maximum
from chainer.functions.math.sqrt import sqrt
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Contrastive(_util.MarginLoss):
    """``(y d^2 + (1 - y) max(margin - d, 0)^2) / 2`` with ``d = ||x0 - x1||``."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x0', 'x1', 'y'))
        x0_type, x1_type, y_type = in_types
        # Chainer's order (its batch sizes read where they exist, the ranks after)
        type_check.expect(
            x0_type.dtype.kind == 'f',
            x0_type.dtype == x1_type.dtype,
            y_type.dtype.kind == 'i',
            x0_type.shape == x1_type.shape,
        )
        if type_check.eval(x1_type.ndim) and type_check.eval(y_type.ndim):
            type_check.expect(x1_type.shape[0] == y_type.shape[0], x1_type.shape[0] > 0)
        type_check.expect(
            x0_type.ndim == 2,
            x1_type.ndim == 2,
            y_type.ndim == 1,
            x1_type.shape[0] == y_type.shape[0],
        )

    def forward(self, inputs):
        x0, x1, y = inputs
        xp = backend.get_array_module(x0)
        self.retain_inputs((0, 1, 2))
        diff = x0 - x1
        dist_sq = array_utils.sum(diff * diff, 1)
        dist = xp.sqrt(dist_sq)
        self.dist = dist
        mdist = xp.maximum(x0.dtype.type(self.margin) - dist, 0)
        if self.reduce == 'mean':
            # Chainer's: the losses in x's dtype promoted with the labels' (float64 for
            # int32 labels: each exact), summed and divided there, rounded once
            loss = (y * dist_sq + (1 - y) * mdist * mdist) * 0.5
            return utils.force_array(array_utils.sum(loss) / len(loss), x0.dtype),
        yf = y.astype(x0.dtype)
        loss = (yf * dist_sq + (1 - yf) * mdist * mdist) * x0.dtype.type(0.5)
        return self._reduced(loss),

    def backward(self, indexes, grad_outputs):
        x0, x1, y = self.get_retained_inputs()
        gy, = grad_outputs
        xp = backend.get_array_module(x0.array)
        dtype = x0.dtype
        n, dim = x0.shape
        yf = y.array.astype(dtype)
        diff = x0 - x1
        dist_sq = _sum(diff * diff, axis=1)
        eps = dtype.type(1e-5 if dtype == numpy.float16 else 1e-7)
        # d = sqrt(dist_sq), clamped below by eps as the only derivative of d blows up at 0
        small = self.dist < eps
        dist = sqrt(dist_sq + small.astype(dtype)) * (~small).astype(dtype) + \
            small.astype(dtype) * eps
        if self.reduce == 'mean':
            g = broadcast_to(gy, (n,)) * (1.0 / n)
        else:
            g = gy
        # d loss / d x0 = y g diff - (1 - y) [d < margin] g (margin - d) diff / d; diff / d
        # is formed first so that float16 does not overflow where d is tiny.
        unit = diff / broadcast_to(reshape(dist, (n, 1)), (n, dim))
        # max(margin - d, 0): no 0 * inf where d overflows, and at d == margin the
        # second derivative is taken from inside the margin, as in Chainer.
        near = (1 - yf) * maximum(self.margin - dist, xp.zeros(n, dtype)) * g
        gx0 = (broadcast_to(reshape(yf * g, (n, 1)), (n, dim)) * diff
               - broadcast_to(reshape(near, (n, 1)), (n, dim)) * unit)
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(gx0)
            elif i == 1:
                ret.append(-gx0)
            else:
                ret.append(None)
        return tuple(ret)


def contrastive(x0: VariableOrArray, x1: VariableOrArray, y: VariableOrArray, margin: float = 1,
                reduce: str = 'mean') -> Variable:
    """Contrastive loss of pairs ``x0``, ``x1`` (N, D) with similarity labels ``y`` (N,).

    Args:
        margin: Distance beyond which dissimilar pairs (``y == 0``) give no loss.
        reduce: ``'mean'`` (divided by N) or ``'no'`` (one loss per pair).
    """
    return Contrastive(margin, reduce).apply((x0, x1, y))[0]
