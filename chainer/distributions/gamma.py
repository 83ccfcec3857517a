"""The gamma distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Gamma(_u._ScalarEvent):
    """Gamma distributions with shape ``k`` and scale ``theta`` (both positive).

    ``sample`` draws ``k``-shaped gamma numbers with the device's generator
    and multiplies them by ``theta``: the gradient flows to ``theta`` only.
    """

    _param_names = ('k', 'theta')

    def __init__(self, k: VariableOrArray, theta: VariableOrArray) -> None:
        self._set_params(('k', 'theta'), k=k, theta=theta)

    @property
    def mean(self):
        return self.k * self.theta

    @property
    def mode(self):
        return F.relu(self.k - 1.0) * self.theta

    @property
    def variance(self):
        return self.mean * self.theta  # Chainer's (k * theta) * theta: its bits

    @property
    def entropy(self):
        k = self.k
        return k + F.log(self.theta) + F.lgamma(k) + (1.0 - k) * F.digamma(k)

    @property
    def support(self) -> str:
        return 'positive'

    def log_prob(self, x: VariableOrArray) -> Variable:
        k, theta = self.k, self.theta
        x = _u._as_value(x, k)
        return _u._log_prob_in_support(
            x, x.array >= 0, 1.0,
            lambda x: -F.lgamma(k) - k * F.log(theta) + (k - 1.0) * F.log(x) - x / theta)

    def sample_n(self, n: int) -> Variable:
        k = self.k
        with _u._sampling_device(k):
            eps = k.xp.random.gamma(k.array, size=(n,) + k.shape)
        return self.theta * eps.astype(k.dtype, copy=False)


@distribution.register_kl(Gamma, Gamma)
def _kl_gamma_gamma(dist1: Gamma, dist2: Gamma):
    k1, t1, k2, t2 = dist1.k, dist1.theta, dist2.k, dist2.theta
    # Chainer's form and order: its bits
    return ((k1 - k2) * F.digamma(k1) - (F.lgamma(k1) - F.lgamma(k2))
            + k2 * (F.log(t2) - F.log(t1)) + k1 * (t1 / t2 - 1.0))
