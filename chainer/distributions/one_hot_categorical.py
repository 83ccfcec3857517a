"""The categorical distribution over one-hot vectors."""
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


class OneHotCategorical(distribution.Distribution):
    """Categorical distributions whose values are one-hot vectors (the last axis of ``p``).

    Samples have ``p``'s dtype and carry no gradient.
    """

    def __init__(self, p: VariableOrArray) -> None:
        self.p, = _u._as_params('OneHotCategorical', {'p': p})
        _u._check_min_ndim('OneHotCategorical', 'p', self.p, 1)
        _u._check_probability('OneHotCategorical', 'p', self.p)

    @property
    def log_p(self) -> chainer.Variable:
        """The logarithms of the class probabilities (``-inf`` where ``p`` is 0)."""
        return F.log(self.p)

    @property
    def batch_shape(self) -> tuple:
        return self.p.shape[:-1]

    @property
    def event_shape(self) -> tuple:
        return self.p.shape[-1:]

    @property
    def params(self) -> dict:
        return {'p': self.p}

    @property
    def mean(self):
        return self.p

    @property
    def variance(self):
        return self.p * (1.0 - self.p)

    @property
    def entropy(self):
        return -F.sum(_u._modified_xlogx(self.p), axis=-1)

    @property
    def support(self) -> str:
        return '{0, 1}'

    def _log_p(self):
        # log(p) with log(0) replaced by 0; the caller masks those classes.
        p = self.p
        positive = p.array > 0
        return F.log(_u._fill_outside(p, positive, 1.0)), positive

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.p)
        log_p, positive = self._log_p()
        logp = F.sum(x * log_p, axis=-1)
        impossible = ((x.array != 0) & ~positive).any(axis=-1)
        return _u._where_in_support(~impossible, logp, -numpy.inf)

    def sample_n(self, n: int) -> Variable:
        p = self.p
        index = _u._sample_class_indices(p, n)
        one_hot = index[..., None] == p.xp.arange(p.shape[-1])
        return chainer.Variable(one_hot.astype(p.dtype))


@distribution.register_kl(OneHotCategorical, OneHotCategorical)
def _kl_one_hot_categorical(dist1: OneHotCategorical, dist2: OneHotCategorical):
    if bool((dist2.p.array > 0).all()):
        kl = _u._chainer_kl_of_classes(dist1.p, lambda: F.log(dist1.p), F.log(dist2.p))
        if kl is not None:
            return kl
    log_p2, positive2 = dist2._log_p()
    kl = -dist1.entropy - F.sum(dist1.p * log_p2, axis=-1)
    impossible = ((dist1.p.array > 0) & ~positive2).any(axis=-1)
    return _u._where_in_support(~impossible, kl, numpy.inf)
