"""L2 normalization of vectors along an axis."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.functions import _composite


def normalize(x, eps: float = 1e-5, axis: int = 1) -> 'chainer.Variable':
    """Divides ``x`` by its L2 norm along ``axis`` plus ``eps``:
    ``y = x / (sqrt(sum(x ** 2, axis)) + eps)``.

    Zero vectors stay zero, with finite gradients of every order.

    Args:
        x: Input array of a float dtype.
        eps (float): Added to the norm to avoid division by zero.
        axis (int or tuple of int): Axis (axes) along which the norm is taken.
    """
    F = chainer.functions
    x = chainer.as_variable(x)
    xa = x.array
    if xa.dtype.kind != 'f':
        raise type_check.InvalidType('x.dtype.kind == "f"', f'x.dtype={xa.dtype}')
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if any(not -xa.ndim <= a < xa.ndim for a in axes):
        raise type_check.InvalidType(
            f'axis within [-{xa.ndim}, {xa.ndim})', f'axis={axis}')
    cdt = array_utils.compute_dtype(xa.dtype)
    xc = x if xa.dtype == cdt else F.cast(x, cdt)
    sq = F.sum(xc * xc, axis=axes, keepdims=True)
    # sqrt has no derivative at 0: take it of 1 there and mask the result.
    zero = sq.array == 0
    safe = F.where(zero, backend.get_array_module(xa).ones_like(sq.array), sq)
    norm = F.sqrt(safe) * (~zero).astype(cdt) + cdt.type(eps)
    y = xc / F.broadcast_to(norm, xa.shape)
    return y if y.dtype == xa.dtype else F.cast(y, xa.dtype)


class NormalizeL2(_composite.CompositeNode):
    """The node of :func:`normalize`: input ``(x,)``."""

    def __init__(self, eps: float = 1e-5, axis: int = 1) -> None:
        self.eps = eps
        self.axis = axis

    def _compose(self, x):
        return normalize(x, self.eps, self.axis)
