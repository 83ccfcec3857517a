"""The Cauchy distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math
import warnings

import numpy

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _log1p_square(z):
    """``log(1 + z**2)``, differentiable, without overflowing ``z**2``.

    Where ``|z| > 1`` it is ``2 log|z| + log1p(z**-2)``: far in the tails the
    value stays finite and the gradient keeps its sign (``z * z`` overflowing
    to inf would give -inf and a gradient of 0). Elsewhere the second term is
    ``log(1) = 0``; no branch reads the mask back to the host.
    """
    a = F.absolute(z)
    big = a.array > 1
    a_big = F.where(big, a, a.xp.ones_like(a.array))
    t = F.where(big, 1.0 / a_big, z)
    return F.log1p(t * t) + 2.0 * F.log(a_big)


class Cauchy(_u._LocationScale):
    """Cauchy distributions with location ``loc`` and scale ``scale`` (positive).

    They have no mean and no variance: those properties warn and return NaN.
    ``sample`` is reparameterised: gradients flow to ``loc`` and ``scale``.
    """

    def _undefined(self, what: str):
        warnings.warn(f'{what.capitalize()} of the cauchy distribution is undefined; NaN is '
                      'returned.', RuntimeWarning)
        xp = self.loc.xp
        return chainer.Variable(xp.full(self.loc.shape, numpy.nan, self.loc.dtype))

    @property
    def mean(self):
        return self._undefined('mean')

    @property
    def variance(self):
        return self._undefined('variance')

    @property
    def entropy(self):
        return F.log(self.scale) + math.log(4 * math.pi)

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        z = (x - self.loc) / self.scale
        return -math.log(math.pi) - F.log(self.scale) - _log1p_square(z)

    def cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return 0.5 + F.arctan((x - self.loc) / self.scale) / math.pi

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return self.loc + self.scale * F.tan((x - 0.5) * math.pi)

    def sample_n(self, n: int) -> Variable:
        eps = _u._draw(self.loc, 'standard_cauchy', (n,) + self.loc.shape)
        return self.loc + self.scale * eps.astype(self.loc.dtype, copy=False)


@distribution.register_kl(Cauchy, Cauchy)
def _kl_cauchy_cauchy(dist1: Cauchy, dist2: Cauchy):
    s1, s2 = dist1.scale, dist2.scale
    diff = dist1.loc - dist2.loc
    return F.log((s1 + s2) ** 2 + diff * diff) - F.log(4.0 * s1 * s2)
