"""The Pareto distribution."""
from __future__ import annotations

import numpy

from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u


class Pareto(_u._ScalarEvent):
    """Pareto distributions on ``[scale, inf)`` with tail index ``alpha`` (both positive).

    The mean is infinite for ``alpha <= 1``, the variance for ``alpha <= 2``.
    ``sample`` is reparameterised: gradients flow to ``scale`` and ``alpha``.
    """

    _batch_param = 'scale'

    def __init__(self, scale, alpha) -> None:
        self.scale, self.alpha = _u._as_params('Pareto', {'scale': scale, 'alpha': alpha})
        _u._check_positive('Pareto', 'scale', self.scale)
        _u._check_positive('Pareto', 'alpha', self.alpha)

    @property
    def params(self) -> dict:
        return {'scale': self.scale, 'alpha': self.alpha}

    @property
    def mean(self):
        alpha = self.alpha
        finite = alpha.array > 1
        safe = _u._fill_outside(alpha, finite, 2.0)
        return _u._where_in_support(finite, self.scale * safe / (safe - 1.0), numpy.inf)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        alpha = self.alpha
        finite = alpha.array > 2
        safe = _u._fill_outside(alpha, finite, 3.0)
        var = self.scale ** 2 * safe / ((safe - 1.0) ** 2 * (safe - 2.0))
        return _u._where_in_support(finite, var, numpy.inf)

    @property
    def entropy(self):
        return F.log(self.scale) - F.log(self.alpha) + 1.0 / self.alpha + 1.0

    @property
    def support(self) -> str:
        return '[scale, inf]'

    def log_prob(self, x):
        scale, alpha = self.scale, self.alpha
        x = _u._as_value(x, scale)
        return _u._log_prob_in_support(
            x, x.array >= scale.array, scale,
            lambda x: F.log(alpha) + alpha * F.log(scale) - (alpha + 1.0) * F.log(x))

    def cdf(self, x):
        x = _u._as_value(x, self.scale)
        inside = x.array >= self.scale.array
        ratio = self.scale / F.maximum(x, F.broadcast_to(self.scale, x.shape))
        return _u._where_in_support(inside, 1.0 - ratio ** self.alpha, 0.0)

    def icdf(self, x):
        return self.scale * (1.0 - x) ** (-1.0 / self.alpha)

    def sample_n(self, n: int):
        u = _u._standard_uniform(self.scale, (n,) + self.scale.shape, positive=True)
        return self.scale * F.exp(-F.log(u) / self.alpha)


@distribution.register_kl(Pareto, Pareto)
def _kl_pareto_pareto(dist1: Pareto, dist2: Pareto):
    s1, a1, s2, a2 = dist1.scale, dist1.alpha, dist2.scale, dist2.alpha
    kl = F.log(a1) - F.log(a2) + a2 * (F.log(s1) - F.log(s2)) + a2 / a1 - 1.0
    return _u._where_in_support(s1.array >= s2.array, kl, numpy.inf)
