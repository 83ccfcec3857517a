"""Group normalization: normalize each sample over groups of channels."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer.functions.normalization import batch_normalization as _bn
from chainer.utils import type_check
from chainer.functions import _composite


def group_normalization(x, groups: int, gamma, beta,
                        eps: float = 1e-5) -> 'chainer.Variable':
    """Group normalization (Wu and He, 2018).

    The channels of each sample are split into ``groups`` groups; each group is
    normalized with its own mean and variance (over its channels and the spatial
    axes), then every channel is scaled by ``gamma`` and shifted by ``beta``.

    Args:
        x: Input of shape ``(N, C, ...)``.
        groups (int): Number of channel groups; must divide ``C``.
        gamma, beta: Per-channel scale and shift of shape ``(C,)``.
        eps (float): Added to the variances.
    """
    F = chainer.functions
    xa, ga, ba = (chainer.variable.as_array(a) for a in (x, gamma, beta))
    if xa.dtype.kind != 'f' or ga.dtype.kind != 'f' or ba.dtype != ga.dtype:
        raise type_check.InvalidType(
            'float x, gamma and beta (gamma and beta of one dtype)',
            f'x.dtype={xa.dtype}, gamma.dtype={ga.dtype}, beta.dtype={ba.dtype}')
    if xa.ndim < 2 or ga.ndim != 1 or ga.shape != ba.shape or ga.shape[0] != xa.shape[1]:
        raise type_check.InvalidType(
            'x.ndim >= 2 and gamma.shape == beta.shape == (x.shape[1],)',
            f'x.shape={xa.shape}, gamma.shape={ga.shape}, beta.shape={ba.shape}')
    if not isinstance(groups, int) or groups <= 0:
        raise ValueError(f'groups must be a positive integer, got {groups!r}')
    n, c = xa.shape[:2]
    if c % groups:
        raise ValueError(
            f'The number of channels {c} is not divisible by groups={groups}')
    xp = backend.get_array_module(xa)
    rows = n * groups
    xr = F.reshape(x, (1, rows, -1 if xa.size else xa.size // max(rows, 1)))
    ones = xp.ones(rows, xa.dtype)
    zeros = xp.zeros(rows, xa.dtype)
    y = F.reshape(_bn.batch_normalization(xr, ones, zeros, eps=eps, axis=(0, 2)), xa.shape)
    pshape = (1, c) + (1,) * (xa.ndim - 2)
    g = F.broadcast_to(F.reshape(gamma, pshape), xa.shape)
    b = F.broadcast_to(F.reshape(beta, pshape), xa.shape)
    if g.dtype != y.dtype:
        y = F.cast(y, g.dtype)
    y = y * g + b
    return y if y.dtype == xa.dtype else F.cast(y, xa.dtype)


class GroupNormalization(_composite.CompositeNode):
    """The node of :func:`group_normalization`: inputs ``(x, gamma, beta)``."""

    def __init__(self, groups: int, eps: float = 1e-5) -> None:
        self.groups = groups
        self.eps = eps

    def _compose(self, x, gamma, beta):
        return group_normalization(x, self.groups, gamma, beta, self.eps)
