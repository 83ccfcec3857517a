"""Layer normalization: normalize each sample over its features."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer.functions.normalization import batch_normalization as _bn
from chainer.utils import type_check
from chainer.functions import _composite


def layer_normalization(x, gamma, beta, eps: float = 1e-5) -> 'chainer.Variable':
    """Layer normalization (Ba et al., 2016).

    Each sample (row of ``x``) is normalized with its own mean and variance over
    all its features, then scaled by ``gamma`` and shifted by ``beta``.

    Args:
        x: Input of shape ``(batch_size, unit_size)`` (or ``(batch_size, ...)``).
        gamma, beta: Scale and shift of shape ``x.shape[1:]``.
        eps (float): Added to the variances.
    """
    F = chainer.functions
    xa, ga, ba = (chainer.variable.as_array(a) for a in (x, gamma, beta))
    if xa.dtype.kind != 'f' or ga.dtype != xa.dtype or ba.dtype != xa.dtype:
        raise type_check.InvalidType(
            'x, gamma and beta of one float dtype',
            f'x.dtype={xa.dtype}, gamma.dtype={ga.dtype}, beta.dtype={ba.dtype}')
    if xa.ndim < 2 or ga.shape != xa.shape[1:] or ba.shape != xa.shape[1:]:
        raise type_check.InvalidType(
            'x.ndim >= 2 and gamma.shape == beta.shape == x.shape[1:]',
            f'x.shape={xa.shape}, gamma.shape={ga.shape}, beta.shape={ba.shape}')
    xp = backend.get_array_module(xa)
    n = xa.shape[0]
    units = ga.size
    xr = F.reshape(x, (1, n, units))
    y = _bn.batch_normalization(xr, xp.ones(n, xa.dtype), xp.zeros(n, xa.dtype),
                                eps=eps, axis=(0, 2))
    y = F.reshape(y, xa.shape)
    return y * F.broadcast_to(gamma, xa.shape) + F.broadcast_to(beta, xa.shape)


class LayerNormalization(_composite.CompositeNode):
    """The node of :func:`layer_normalization`: inputs ``(x, gamma, beta)``."""

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = eps

    def _compose(self, x, gamma, beta):
        return layer_normalization(x, gamma, beta, self.eps)
