"""The Gumbel (type-I extreme value) distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

EULER = 0.57721566490153286060651209008240243104215933593992


class Gumbel(_u._LocationScale):
    """Gumbel distributions with location ``loc`` and scale ``scale`` (positive).

    ``sample`` is reparameterised: gradients flow to ``loc`` and ``scale``.
    """

    @property
    def mean(self):
        return self.loc + EULER * self.scale

    @property
    def variance(self):
        return (math.pi ** 2 / 6.0) * self.scale ** 2

    @property
    def entropy(self):
        return F.log(self.scale) + (EULER + 1.0)

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        z = (x - self.loc) / self.scale
        return -F.log(self.scale) - z - F.exp(-z)

    def cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return F.exp(-F.exp(-(x - self.loc) / self.scale))

    def log_cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return -F.exp(-(x - self.loc) / self.scale)

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return self.loc - self.scale * F.log(-F.log(x))

    def sample_n(self, n: int) -> Variable:
        eps = _u._draw(self.loc, 'gumbel', size=(n,) + self.loc.shape)
        return self.loc + self.scale * eps.astype(self.loc.dtype, copy=False)


@distribution.register_kl(Gumbel, Gumbel)
def _kl_gumbel_gumbel(dist1: Gumbel, dist2: Gumbel):
    ratio = dist1.scale / dist2.scale
    shift = (dist1.loc - dist2.loc) / dist2.scale
    return (-F.log(ratio) + shift + EULER * (ratio - 1.0) - 1.0
            + F.exp(F.lgamma(ratio + 1.0) - shift))
