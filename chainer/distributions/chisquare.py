"""The chi-square distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_LOG2 = math.log(2.0)


class Chisquare(_u._ScalarEvent):
    """Chi-square distributions with ``k`` (positive) degrees of freedom.

    Samples are drawn with the device's generator and carry no gradient.
    """

    _param_names = ('k',)

    def __init__(self, k: VariableOrArray) -> None:
        self._set_params(('k',), k=k)

    @property
    def mean(self):
        return self.k

    @property
    def variance(self):
        return 2.0 * self.k

    @property
    def entropy(self):
        half_k = 0.5 * self.k
        return half_k + _LOG2 + F.lgamma(half_k) + (1.0 - half_k) * F.digamma(half_k)

    @property
    def support(self) -> str:
        return 'positive'

    def log_prob(self, x: VariableOrArray) -> Variable:
        half_k = 0.5 * self.k
        x = _u._as_value(x, half_k)
        return _u._log_prob_in_support(
            x, x.array >= 0, 1.0,
            # Chainer's order
            lambda x: (-F.lgamma(half_k) - half_k * _LOG2 + (half_k - 1.0) * F.log(x)
                       - 0.5 * x))

    def sample_n(self, n: int) -> Variable:
        k = self.k
        with _u._sampling_device(k):
            eps = k.xp.random.chisquare(k.array, size=(n,) + k.shape)
        return chainer.Variable(eps.astype(k.dtype, copy=False))


@distribution.register_kl(Chisquare, Chisquare)
def _kl_chisquare_chisquare(dist1: Chisquare, dist2: Chisquare):
    # Chi-square(k) is Gamma(k / 2, 2): the gamma formula with equal scales.
    h1, h2 = 0.5 * dist1.k, 0.5 * dist2.k
    return (h1 - h2) * F.digamma(h1) - F.lgamma(h1) + F.lgamma(h2)
