"""The normal (Gaussian) distribution."""
from __future__ import annotations

import math

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import argument

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)
PROBC = 1.0 / math.sqrt(2 * math.pi)


class Normal(distribution.Distribution):
    """Normal distributions ``N(loc, scale**2)``, elementwise over the batch.

    Give either ``scale`` or ``log_scale`` (keyword), the logarithm of the
    standard deviation.  ``sample`` is reparameterised: gradients flow to
    ``loc`` and ``scale``.

    Args:
        loc: The means.
        scale: The standard deviations (positive).
        log_scale: ``log(scale)`` instead of ``scale``.
    """

    def __init__(self, loc, scale=None, **kwargs) -> None:
        log_scale, = argument.parse_kwargs(kwargs, ('log_scale', None))
        if (scale is None) == (log_scale is None):
            raise ValueError('Normal: give either scale or log_scale (exactly one)')
        if scale is not None:
            self.loc, self._scale = _u._as_params('Normal', {'loc': loc, 'scale': scale})
            _u._check_positive('Normal', 'scale', self._scale)
            self._log_scale = None
        else:
            self.loc, self._log_scale = _u._as_params(
                'Normal', {'loc': loc, 'log_scale': log_scale})
            self._scale = None

    @property
    def scale(self) -> chainer.Variable:
        """The standard deviations."""
        if self._scale is None:
            return F.exp(self._log_scale)
        return self._scale

    @property
    def log_scale(self) -> chainer.Variable:
        """The logarithms of the standard deviations."""
        if self._log_scale is None:
            return F.log(self._scale)
        return self._log_scale

    @property
    def batch_shape(self) -> tuple:
        return self.loc.shape

    @property
    def event_shape(self) -> tuple:
        return ()

    @property
    def params(self) -> dict:
        return {'loc': self.loc, 'scale': self.scale}

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    @property
    def entropy(self):
        return self.log_scale + ENTROPYC

    @property
    def support(self) -> str:
        return 'real'

    def _standardize(self, x):
        return (x - self.loc) / self.scale

    def log_prob(self, x):
        return LOGPROBC - self.log_scale - 0.5 * self._standardize(x) ** 2

    def prob(self, x):
        return (PROBC / self.scale) * F.exp(-0.5 * self._standardize(x) ** 2)

    def cdf(self, x):
        return F.ndtr(self._standardize(x))

    def log_cdf(self, x):
        return F.log_ndtr(self._standardize(x))

    def survival_function(self, x):
        return F.ndtr(-self._standardize(x))

    def log_survival_function(self, x):
        return F.log_ndtr(-self._standardize(x))

    def icdf(self, x):
        return self.loc + self.scale * F.ndtri(x)

    def sample_n(self, n: int):
        eps = _u._standard_normal(self.loc, (n,) + self.loc.shape)
        return self.loc + self.scale * eps


@distribution.register_kl(Normal, Normal)
def _kl_normal_normal(dist1: Normal, dist2: Normal):
    diff = dist1.loc - dist2.loc
    return (dist2.log_scale - dist1.log_scale
            + 0.5 * (dist1.variance + diff * diff) / dist2.variance - 0.5)

