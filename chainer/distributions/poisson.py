"""The Poisson distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Poisson(_u._ScalarEvent):
    """Poisson distributions with rates ``lam`` (positive) on the integers 0, 1, ...

    ``log_prob`` extends to real ``x >= 0`` through the gamma function;
    negative ``x`` has probability 0.  Samples carry no gradient, nor does ``x``
    in ``log_prob``.
    """

    _param_names = ('lam',)

    def __init__(self, lam: VariableOrArray) -> None:
        self._set_params(('lam',), lam=lam)

    @property
    def mean(self):
        return self.lam

    @property
    def variance(self):
        return self.lam

    @property
    def support(self) -> str:
        return 'non negative integer'

    def log_prob(self, x: VariableOrArray) -> Variable:
        lam = self.lam
        if isinstance(x, chainer.Variable):
            x = x.array  # a count, as in Chainer: no gradient reaches it
        x = _u._as_value(x, lam)
        return _u._log_prob_in_support(
            x, x.array >= 0, 0.0,
            lambda x: x * F.log(lam) - F.lgamma(x + 1.0) - lam)  # Chainer's order

    def sample_n(self, n: int) -> Variable:
        lam = self.lam
        with _u._sampling_device(lam):
            eps = lam.xp.random.poisson(lam.array, size=(n,) + lam.shape)
        return chainer.Variable(eps.astype(lam.dtype, copy=False))


@distribution.register_kl(Poisson, Poisson)
def _kl_poisson_poisson(dist1: Poisson, dist2: Poisson):
    lam1, lam2 = dist1.lam, dist2.lam
    return lam1 * (F.log(lam1) - F.log(lam2)) - lam1 + lam2


