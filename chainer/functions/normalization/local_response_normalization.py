"""Local response normalization across neighbouring channels."""
from __future__ import annotations

import chainer
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.functions import _composite


def local_response_normalization(x, n: int = 5, k: float = 2, alpha: float = 1e-4,
                                 beta: float = 0.75) -> 'chainer.Variable':
    """Local response normalization (Krizhevsky et al., 2012).

    ``y[:, c] = x[:, c] / (k + alpha * sum(x[:, c'] ** 2)) ** beta``, the sum
    running over the channels ``c'`` with ``|c' - c| <= n // 2``.

    Args:
        x: Input of shape ``(N, C, ...)``.
        n (int): Width of the channel window.
        k, alpha, beta (float): Constants of the formula.
    """
    F = chainer.functions
    xa = chainer.variable.as_array(x)
    if xa.dtype.kind != 'f' or xa.ndim < 2:
        raise type_check.InvalidType(
            'x.dtype.kind == "f" and x.ndim >= 2', f'x.dtype={xa.dtype}, x.ndim={xa.ndim}')
    cdt = array_utils.compute_dtype(xa.dtype)
    xc = chainer.as_variable(x) if xa.dtype == cdt else F.cast(x, cdt)
    half = n // 2
    c = xa.shape[1]
    sq = xc * xc
    if half:
        pad = [(0, 0)] * xa.ndim
        pad[1] = (half, half)
        sq = F.pad(sq, pad, 'constant')
    total = None
    for i in range(2 * half + 1):
        part = sq[:, i:i + c]
        total = part if total is None else total + part
    y = xc * (total * alpha + k) ** (-beta)
    return y if y.dtype == xa.dtype else F.cast(y, xa.dtype)


class LocalResponseNormalization(_composite.CompositeNode):
    """The node of :func:`local_response_normalization`: input ``(x,)``."""

    def __init__(self, n: int = 5, k: float = 2, alpha: float = 1e-4,
                 beta: float = 0.75) -> None:
        self.n = n
        self.k = k
        self.alpha = alpha
        self.beta = beta

    def _compose(self, x):
        return local_response_normalization(x, self.n, self.k, self.alpha, self.beta)
