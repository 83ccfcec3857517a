"""The exponential distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Exponential(_u._ScalarEvent):
    """Exponential distributions with rates ``lam`` (positive): density ``lam exp(-lam x)``.

    ``sample`` is reparameterised: the gradient flows to ``lam``.
    """

    _param_names = ('lam',)

    def __init__(self, lam: VariableOrArray) -> None:
        self._set_params(('lam',), lam=lam)

    @property
    def mean(self):
        return 1.0 / self.lam

    @property
    def mode(self):
        return chainer.Variable(self.lam.xp.zeros_like(self.lam.array))

    @property
    def variance(self):
        return self.mean ** 2  # Chainer's (1 / lam) ** 2: its bits

    @property
    def entropy(self):
        return 1.0 - F.log(self.lam)

    @property
    def support(self) -> str:
        return 'positive'

    def log_prob(self, x: VariableOrArray) -> Variable:
        lam = self.lam
        x = _u._as_value(x, lam)
        return _u._log_prob_in_support(x, x.array >= 0, 1.0,
                                       lambda x: F.log(lam) - lam * x)

    def cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.lam)
        return _u._log_prob_in_support(x, x.array >= 0, 0.0,
                                       lambda x: -F.expm1(-self.lam * x), 0.0)

    def survival_function(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.lam)
        return _u._log_prob_in_support(x, x.array >= 0, 0.0,
                                       lambda x: F.exp(-self.lam * x), 1.0)

    def log_survival_function(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.lam)
        return _u._log_prob_in_support(x, x.array >= 0, 0.0, lambda x: -self.lam * x, 0.0)

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.lam)
        return -1.0 / self.lam * F.log1p(-x)  # Chainer's order: its bits

    def sample_n(self, n: int) -> Variable:
        lam = self.lam
        with _u._sampling_device(lam):
            eps = lam.xp.random.standard_exponential((n,) + lam.shape)
        return eps.astype(lam.dtype, copy=False) / lam


@distribution.register_kl(Exponential, Exponential)
def _kl_exponential_exponential(dist1: Exponential, dist2: Exponential):
    # log(lam1) - log(lam2), not log(lam2 / lam1): as Chainer's, no ratio that underflows
    # (float16) and no 1 / ratio in the gradient.
    return F.log(dist1.lam) - F.log(dist2.lam) + dist2.lam / dist1.lam - 1.0
