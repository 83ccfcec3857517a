"""The beta distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _lbeta(a, b):
    return F.lgamma(a) + F.lgamma(b) - F.lgamma(a + b)


class Beta(_u._ScalarEvent):
    """Beta distributions on [0, 1] with shapes ``a`` and ``b`` (both positive).

    Samples are drawn with the device's generator and carry no gradient.
    """

    _param_names = ('a', 'b')

    def __init__(self, a: VariableOrArray, b: VariableOrArray) -> None:
        self._set_params(('a', 'b'), a=a, b=b)

    @property
    def mean(self):
        return self.a / (self.a + self.b)

    @property
    def mode(self):
        """``(a - 1) / (a + b - 2)`` where both shapes exceed 1; 0 or 1 where the
        density is unbounded at that end only (``a < 1 <= b`` or ``b < 1 <= a``, or
        a shape of 1 beside one above 1); NaN where no single mode exists (both
        below 1, or the uniform ``a = b = 1``)."""
        a, b = self.a, self.b
        xp = a.xp
        av, bv = a.array, b.array
        interior = (av > 1) & (bv > 1)
        at_zero = (av <= 1) & (bv >= 1) & ~((av == 1) & (bv == 1))
        at_one = (av >= 1) & (bv <= 1) & ~((av == 1) & (bv == 1))
        edge = xp.where(at_zero, 0, xp.where(at_one, 1, xp.nan)).astype(av.dtype)
        # a denominator of 1 off the interior keeps the unused branch's gradient finite
        den = F.where(interior, a + b - 2.0, xp.ones_like(av))
        return F.where(interior, (a - 1.0) / den, edge)

    @property
    def variance(self):
        apb = self.a + self.b
        # two divisions (as in Dirichlet.variance): one by the product overflows
        # float16 in the second derivative
        return self.a * self.b / (apb * apb) / (apb + 1.0)

    @property
    def entropy(self):
        a, b = self.a, self.b
        apb = a + b
        return (_lbeta(a, b) - (a - 1.0) * F.digamma(a) - (b - 1.0) * F.digamma(b)
                + (apb - 2.0) * F.digamma(apb))

    @property
    def support(self) -> str:
        return '[0, 1]'

    def log_prob(self, x: VariableOrArray) -> Variable:
        a, b = self.a, self.b
        x = _u._as_value(x, a)
        inside = (x.array >= 0) & (x.array <= 1)
        return _u._log_prob_in_support(
            x, inside, 0.5,
            lambda x: (a - 1.0) * F.log(x) + (b - 1.0) * F.log1p(-x) - _lbeta(a, b))

    def sample_n(self, n: int) -> Variable:
        a, b = self.a, self.b
        with _u._sampling_device(a):
            eps = a.xp.random.beta(a.array, b.array, size=(n,) + a.shape)
        return chainer.Variable(eps.astype(a.dtype, copy=False))


@distribution.register_kl(Beta, Beta)
def _kl_beta_beta(dist1: Beta, dist2: Beta):
    a1, b1, a2, b2 = dist1.a, dist1.b, dist2.a, dist2.b
    return (_lbeta(a2, b2) - _lbeta(a1, b1) + (a1 - a2) * F.digamma(a1)
            + (b1 - b2) * F.digamma(b1) + (a2 - a1 + b2 - b1) * F.digamma(a1 + b1))
