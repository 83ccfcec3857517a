"""The continuous uniform distribution."""
from __future__ import annotations

import numpy

from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import argument


class Uniform(_u._ScalarEvent):
    """Uniform distributions on ``[low, high]``.

    Give either ``low`` and ``high`` or ``loc`` (the lower end) and ``scale``
    (the width, positive), all as keywords.  ``sample`` is reparameterised.
    """

    _batch_param = 'low'

    def __init__(self, **kwargs) -> None:
        low, high, loc, scale = argument.parse_kwargs(
            kwargs, ('low', None), ('high', None), ('loc', None), ('scale', None))
        by_bounds = low is not None or high is not None
        by_loc = loc is not None or scale is not None
        if by_bounds == by_loc:
            raise ValueError('Uniform: give either low and high or loc and scale')
        if by_bounds:
            self.low, self.high = _u._as_params('Uniform', {'low': low, 'high': high})
            if bool((self.high.array <= self.low.array).any()):
                raise ValueError('Uniform: high must be greater than low')
        else:
            loc, scale = _u._as_params('Uniform', {'loc': loc, 'scale': scale})
            _u._check_positive('Uniform', 'scale', scale)
            self.low, self.high = loc, loc + scale

    @property
    def loc(self):
        """The lower ends."""
        return self.low

    @property
    def scale(self):
        """The widths ``high - low``."""
        return self.high - self.low

    @property
    def params(self) -> dict:
        return {'low': self.low, 'high': self.high}

    @property
    def mean(self):
        return 0.5 * (self.low + self.high)

    @property
    def variance(self):
        return self.scale ** 2 / 12.0

    @property
    def entropy(self):
        return F.log(self.scale)

    @property
    def support(self) -> str:
        return '[low, high]'

    def _inside(self, x):
        x = _u._as_value(x, self.low)
        return x, (x.array >= self.low.array) & (x.array <= self.high.array)

    def log_prob(self, x):
        x, inside = self._inside(x)
        logp = F.broadcast_to(-F.log(self.scale), inside.shape)
        return _u._where_in_support(inside, logp, -numpy.inf)

    def cdf(self, x):
        x = _u._as_value(x, self.low)
        return F.clip((x - self.low) / self.scale, 0.0, 1.0)

    def icdf(self, x):
        return self.low + self.scale * x

    def sample_n(self, n: int):
        u = _u._standard_uniform(self.low, (n,) + self.low.shape)
        return self.low + self.scale * u


@distribution.register_kl(Uniform, Uniform)
def _kl_uniform_uniform(dist1: Uniform, dist2: Uniform):
    inside = ((dist2.low.array <= dist1.low.array) & (dist1.high.array <= dist2.high.array))
    return _u._where_in_support(inside, F.log(dist2.scale) - F.log(dist1.scale), numpy.inf)
