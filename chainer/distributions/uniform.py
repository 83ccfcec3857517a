"""The continuous uniform distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Uniform(_u._ScalarEvent):
    """Uniform distributions on ``[low, high]``.

    Give either ``low`` and ``high`` or ``loc`` (the lower end) and ``scale``
    (the width, positive), all as keywords.  ``sample`` is reparameterised.
    """

    _batch_param = 'low'

    def __init__(self, **kwargs: VariableOrArray) -> None:
        low, high, loc, scale = argument.parse_kwargs(
            kwargs, ('low', None), ('high', None), ('loc', None), ('scale', None))
        by_bounds = low is not None or high is not None
        by_loc = loc is not None or scale is not None
        pair = (low, high) if by_bounds else (loc, scale)
        if by_bounds == by_loc or any(v is None for v in pair):
            raise ValueError('Uniform: give either low and high or loc and scale')
        if by_bounds:
            self._low, self._high = _u._as_params('Uniform', {'low': low, 'high': high})
            if _u._validating() and bool((self._high.array <= self._low.array).any()):
                raise ValueError('Uniform: high must be greater than low')
            self._loc = self._scale = None
        else:
            self._loc, self._scale = _u._as_params('Uniform', {'loc': loc, 'scale': scale})
            _u._check_positive('Uniform', 'scale', self._scale)
            self._low = self._high = None

    @property
    def low(self):
        """The lower ends."""
        return self._loc if self._low is None else self._low

    @property
    def high(self):
        """The upper ends."""
        return self._loc + self._scale if self._low is None else self._high

    @property
    def loc(self):
        """The lower ends."""
        return self._low if self._loc is None else self._loc

    @property
    def scale(self):
        """The widths ``high - low``."""
        return self._high - self._low if self._loc is None else self._scale

    @property
    def params(self) -> dict:
        """``low`` and ``high``, or ``loc`` and ``scale``: the pair the distribution was given."""
        if self._loc is None:
            return {'low': self._low, 'high': self._high}
        return {'loc': self._loc, 'scale': self._scale}

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

    def log_prob(self, x: VariableOrArray) -> Variable:
        x, inside = self._inside(x)
        logp = F.broadcast_to(-F.log(self.scale), inside.shape)
        return _u._where_in_support(inside, logp, -numpy.inf)

    def cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.low)
        return F.clip((x - self.low) / self.scale, 0.0, 1.0)

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.low)
        return self.low + self.scale * x

    def sample_n(self, n: int) -> Variable:
        u = _u._standard_uniform(self.low, (n,) + self.low.shape)
        return self.loc + self.scale * u


@distribution.register_kl(Uniform, Uniform)
def _kl_uniform_uniform(dist1: Uniform, dist2: Uniform):
    inside = ((dist2.low.array <= dist1.low.array) & (dist1.high.array <= dist2.high.array))
    # Widths as high - low: the lower ends (loc) get their zero gradient, as in Chainer.
    kl = F.log(dist2.high - dist2.low) - F.log(dist1.high - dist1.low)
    return _u._where_in_support(inside, kl, numpy.inf)
