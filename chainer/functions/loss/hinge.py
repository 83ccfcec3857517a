"""Hinge loss for multi-class classification."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils import type_check
from chainer.utils.array import check_index_range


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
        check_index_range(t, x.shape[1], 'label t')
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
        scale = 1.0 / max(len(x), 1) if self.reduce == 'mean' else 1.0
        gx, = HingeGrad(self.sign, self.mask, self.norm, scale).apply((x, grad_outputs[0]))
        return gx, None


class HingeGrad(function_node.FunctionNode):
    """``gx = gy * scale * sign * mask`` (L1) or ``... * 2 * (1 + sign * x)`` (L2) from
    inputs ``(x, gy)``; ``sign`` is -1 at the true class, ``mask`` marks positive
    margins, ``gy`` is a scalar (mean) or of the shape of ``x``."""

    def __init__(self, sign, mask, norm: str, scale: float) -> None:
        self.coeff = sign * mask
        self.sign = sign
        self.mask = mask
        self.norm = norm
        self.scale = scale

    def _unscaled(self, x):
        if self.norm == 'L1':
            return self.coeff
        return (x * self.sign + 1) * (2 * self.coeff)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        return utils.force_array(self._unscaled(x) * (gy * x.dtype.type(self.scale)),
                                 x.dtype),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        ret = []
        if 0 in indexes:
            if self.norm == 'L1':
                ret.append(None)  # piecewise constant in x
            else:
                c = (2 * self.scale) * self.mask.astype(x.dtype)
                ret.append(broadcast_to(gy, x.shape) * ggx * c)
        if 1 in indexes:
            g = ggx * self._unscaled(x) * self.scale
            ret.append(_sum(g) if gy.shape != x.shape else g)
        return tuple(ret)


def hinge(x, t, norm='L1', reduce='mean'):
    """Hinge loss of scores ``x`` (N, C) for integer labels ``t`` (N,).

    Args:
        norm: ``'L1'`` or ``'L2'`` (squared hinge).
        reduce: ``'mean'`` (summed and divided by N) or ``'no'`` (shape of ``x``).
    """
    return Hinge(norm, reduce).apply((x, t))[0]
