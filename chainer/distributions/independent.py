"""Reinterpreting batch axes of a distribution as event axes."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import distribution
import chainer.functions as F

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _sum_rightmost(x, ndims: int):
    if ndims == 0:
        return x
    return F.sum(x, axis=tuple(range(-ndims, 0)))


class Independent(distribution.Distribution):
    """Reads the rightmost ``reinterpreted_batch_ndims`` batch axes as event axes.

    ``log_prob`` and ``entropy`` sum over them: e.g. a batch of ``(B, D)``
    normals becomes ``B`` diagonal ``D``-dimensional normals.  By default
    every batch axis but the first is reinterpreted.
    """

    def __init__(self, distribution: distribution.Distribution,
                 reinterpreted_batch_ndims: int | None = None) -> None:
        ndim = len(distribution.batch_shape)
        if reinterpreted_batch_ndims is None:
            reinterpreted_batch_ndims = max(0, ndim - 1)
        if not 0 <= reinterpreted_batch_ndims <= ndim:
            raise ValueError(
                f'Independent: reinterpreted_batch_ndims must lie in [0, {ndim}] for a batch '
                f'of shape {distribution.batch_shape}, got {reinterpreted_batch_ndims}')
        self.distribution = distribution
        self.reinterpreted_batch_ndims = reinterpreted_batch_ndims

    @property
    def _split(self) -> int:
        return len(self.distribution.batch_shape) - self.reinterpreted_batch_ndims

    @property
    def batch_shape(self) -> tuple:
        return self.distribution.batch_shape[:self._split]

    @property
    def event_shape(self) -> tuple:
        return self.distribution.batch_shape[self._split:] + self.distribution.event_shape

    @property
    def params(self) -> dict:
        return self.distribution.params

    @property
    def mean(self):
        return self.distribution.mean

    @property
    def mode(self):
        return self.distribution.mode

    @property
    def stddev(self):
        return self.distribution.stddev

    @property
    def variance(self):
        return self.distribution.variance

    @property
    def covariance(self):
        """The covariance of the flattened event, ``batch_shape + (m * d, m * d)``.

        Block diagonal: the ``m`` reinterpreted batch members are independent, each
        with the ``d x d`` covariance of the wrapped distribution (its variance
        where events are scalars, its ``covariance`` where they are vectors).
        """
        base = self.distribution
        if base.event_shape == ():
            d = 1
            block = F.reshape(base.variance, self.batch_shape + (-1, 1, 1, 1))
        elif len(base.event_shape) == 1:
            d = base.event_shape[0]
            block = F.reshape(base.covariance, self.batch_shape + (-1, d, 1, d))
        else:
            raise NotImplementedError(
                'Independent.covariance needs a distribution with scalar or vector events')
        m = block.shape[-4]
        shape = self.batch_shape + (m, d, m, d)
        eye = block.xp.eye(m, dtype=block.dtype).reshape(m, 1, m, 1)
        return F.reshape(F.broadcast_to(block, shape) * eye, self.batch_shape + (m * d, m * d))

    @property
    def entropy(self):
        return _sum_rightmost(self.distribution.entropy, self.reinterpreted_batch_ndims)

    @property
    def support(self) -> str:
        return self.distribution.support

    def cdf(self, x: VariableOrArray) -> Variable:
        cdf = self.distribution.cdf(x)
        if self.reinterpreted_batch_ndims == 0:
            return cdf
        return F.prod(cdf, axis=tuple(range(-self.reinterpreted_batch_ndims, 0)))

    def log_cdf(self, x: VariableOrArray) -> Variable:
        return _sum_rightmost(self.distribution.log_cdf(x), self.reinterpreted_batch_ndims)

    def survival_function(self, x: VariableOrArray) -> Variable:
        """``P(X > x)`` in every element of the event: the product of the survival functions."""
        sf = self.distribution.survival_function(x)
        if self.reinterpreted_batch_ndims == 0:
            return sf
        return F.prod(sf, axis=tuple(range(-self.reinterpreted_batch_ndims, 0)))

    def log_survival_function(self, x: VariableOrArray) -> Variable:
        return _sum_rightmost(self.distribution.log_survival_function(x),
                              self.reinterpreted_batch_ndims)

    def icdf(self, x: VariableOrArray) -> Variable:
        raise RuntimeError('the cumulative distribution function of a multivariate '
                           'distribution has no inverse')

    def log_prob(self, x: VariableOrArray) -> Variable:
        return _sum_rightmost(self.distribution.log_prob(x), self.reinterpreted_batch_ndims)

    def sample_n(self, n: int) -> Variable:
        return self.distribution.sample_n(n)


@distribution.register_kl(Independent, Independent)
def _kl_independent_independent(dist1: Independent, dist2: Independent):
    if (dist1.event_shape != dist2.event_shape
            or dist1.reinterpreted_batch_ndims != dist2.reinterpreted_batch_ndims):
        raise ValueError(
            'KL divergence of Independent distributions needs the same event shape and '
            f'reinterpreted_batch_ndims, got {dist1.event_shape} and {dist2.event_shape}, '
            f'{dist1.reinterpreted_batch_ndims} and {dist2.reinterpreted_batch_ndims}')
    kl = distribution.kl_divergence(dist1.distribution, dist2.distribution)
    return _sum_rightmost(kl, dist1.reinterpreted_batch_ndims)
