"""The Dirichlet distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _lbeta(alpha):
    return F.sum(F.lgamma(alpha), axis=-1) - F.lgamma(F.sum(alpha, axis=-1))


class Dirichlet(distribution.Distribution):
    """Dirichlet distributions on the simplex; the last axis of ``alpha`` is the event.

    Samples are drawn with the device's generator and carry no gradient.
    """

    def __init__(self, alpha: VariableOrArray) -> None:
        self.alpha, = _u._as_params('Dirichlet', {'alpha': alpha})
        _u._check_min_ndim('Dirichlet', 'alpha', self.alpha, 1)
        _u._check_positive('Dirichlet', 'alpha', self.alpha)

    @property
    def alpha0(self):
        """The sums of the concentrations, shape ``batch_shape``."""
        return F.sum(self.alpha, axis=-1)

    @property
    def batch_shape(self) -> tuple:
        return self.alpha.shape[:-1]

    @property
    def event_shape(self) -> tuple:
        return self.alpha.shape[-1:]

    @property
    def params(self) -> dict:
        return {'alpha': self.alpha}

    @property
    def mean(self):
        return self.alpha / F.expand_dims(self.alpha0, -1)

    @property
    def variance(self):
        alpha0 = F.expand_dims(self.alpha0, -1)
        # two divisions, not one by the product: the second derivative squares the
        # divisor, which overflows float16 already for alpha0 around 14
        return self.alpha * (alpha0 - self.alpha) / (alpha0 * alpha0) / (alpha0 + 1.0)

    @property
    def entropy(self):
        alpha, alpha0 = self.alpha, self.alpha0
        k = alpha.shape[-1]
        return (_lbeta(alpha) + (alpha0 - float(k)) * F.digamma(alpha0)
                - F.sum((alpha - 1.0) * F.digamma(alpha), axis=-1))

    @property
    def support(self) -> str:
        return '[0, 1]'

    def log_prob(self, x: VariableOrArray) -> Variable:
        alpha = self.alpha
        x = _u._as_value(x, alpha)
        inside = (x.array >= 0) & (x.array <= 1)
        if not bool(inside.all()):
            x = _u._fill_outside(x, inside, 0.5)
        logp = F.sum((alpha - 1.0) * F.log(x), axis=-1) - _lbeta(alpha)
        return _u._where_in_support(inside.all(axis=-1), logp, -numpy.inf)

    def sample_n(self, n: int) -> Variable:
        # Each row of alpha draws its n vectors in turn, gamma variates in
        # C order normalised by their running sum, as numpy.random.dirichlet
        # does: seeded draws are Chainer's.
        alpha = self.alpha
        xp = alpha.xp
        k = alpha.shape[-1]
        rows = alpha.array.reshape(-1, 1, k).astype(numpy.float64)
        g = _u._draw(alpha, 'standard_gamma', xp.broadcast_to(rows, (rows.shape[0], n, k)))
        g *= 1.0 / xp.cumsum(g, axis=-1)[..., -1:]
        g = g.transpose(1, 0, 2).reshape((n,) + alpha.shape)
        return chainer.Variable(g.astype(alpha.dtype, copy=False))


@distribution.register_kl(Dirichlet, Dirichlet)
def _kl_dirichlet_dirichlet(dist1: Dirichlet, dist2: Dirichlet):
    alpha1, alpha2 = dist1.alpha, dist2.alpha
    alpha0 = dist1.alpha0
    digamma_diff = F.digamma(alpha1) - F.expand_dims(F.digamma(alpha0), -1)
    return (-_lbeta(alpha1) + _lbeta(alpha2)
            + F.sum((alpha1 - alpha2) * digamma_diff, axis=-1))
