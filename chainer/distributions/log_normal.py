"""The log-normal distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

LOGPROBC = -0.5 * math.log(2 * math.pi)


class LogNormal(_u._ScalarEvent):
    """Distributions of ``exp(y)`` for ``y ~ N(mu, sigma**2)`` (``sigma`` positive).

    ``sample`` is reparameterised: gradients flow to ``mu`` and ``sigma``.
    """

    _param_names = ('mu', 'sigma')

    def __init__(self, mu: VariableOrArray, sigma: VariableOrArray) -> None:
        self._set_params(('sigma',), mu=mu, sigma=sigma)

    @property
    def mean(self):
        return F.exp(self.mu + 0.5 * self.sigma ** 2)

    @property
    def mode(self):
        return F.exp(self.mu - self.sigma ** 2)

    @property
    def variance(self):
        sigma2 = self.sigma ** 2
        return F.expm1(sigma2) * F.exp(2.0 * self.mu + sigma2)

    @property
    def entropy(self):
        return F.log(self.sigma) + (0.5 - LOGPROBC) + self.mu  # Chainer's order

    @property
    def support(self) -> str:
        return 'positive'

    def log_prob(self, x: VariableOrArray) -> Variable:
        mu, sigma = self.mu, self.sigma
        x = _u._as_value(x, mu)

        def formula(x):
            logx = F.log(x)
            z = (logx - mu) / sigma
            return LOGPROBC - F.log(sigma) - logx - 0.5 * z * z
        return _u._log_prob_in_support(x, x.array > 0, 1.0, formula)

    def cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.mu)
        return _u._log_prob_in_support(
            x, x.array > 0, 1.0, lambda x: F.ndtr((F.log(x) - self.mu) / self.sigma), 0.0)

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.mu)
        return F.exp(self.mu + self.sigma * F.ndtri(x))

    def sample_n(self, n: int) -> Variable:
        eps = _u._standard_normal(self.mu, (n,) + self.mu.shape)
        return F.exp(self.mu + self.sigma * eps)


@distribution.register_kl(LogNormal, LogNormal)
def _kl_log_normal_log_normal(dist1: LogNormal, dist2: LogNormal):
    diff = dist1.mu - dist2.mu
    return (F.log(dist2.sigma) - F.log(dist1.sigma)
            + 0.5 * (dist1.sigma ** 2 + diff * diff) / dist2.sigma ** 2 - 0.5)
