"""The categorical distribution over K classes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import distribution
from chainer import utils
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Categorical(distribution.Distribution):
    """Categorical distributions over ``{0, ..., K-1}``; the last axis of ``p`` holds the classes.

    Give either the probabilities ``p`` (each row summing to 1) or ``logit``
    (keyword: unnormalised log-probabilities).  Values are integer class
    indices; samples are ``int64`` and carry no gradient.
    """

    def __init__(self, p: VariableOrArray | None = None, **kwargs: VariableOrArray) -> None:
        logit, = argument.parse_kwargs(kwargs, ('logit', None))
        if (p is None) == (logit is None):
            raise ValueError('Categorical: give either p or logit (exactly one)')
        if p is not None:
            self._p, = _u._as_params('Categorical', {'p': p})
            _u._check_min_ndim('Categorical', 'p', self._p, 1)
            _u._check_probability('Categorical', 'p', self._p)
            self._logit = None
        else:
            self._logit, = _u._as_params('Categorical', {'logit': logit})
            _u._check_min_ndim('Categorical', 'logit', self._logit, 1)
            self._p = None

    @property
    def p(self) -> chainer.Variable:
        """The class probabilities."""
        if self._p is None:
            return F.exp(self.log_p)
        return self._p

    @property
    def log_p(self) -> chainer.Variable:
        """The logarithms of the class probabilities."""
        if self._p is None:
            # logit - logsumexp(logit), Chainer's rounding: p, and so seeded draws, match.
            logit = self._logit
            return logit - F.broadcast_to(F.logsumexp(logit, axis=-1)[..., None], logit.shape)
        return F.log(self._p)

    @property
    def _params_shape(self) -> tuple:
        return (self._p if self._logit is None else self._logit).shape

    @property
    def batch_shape(self) -> tuple:
        return self._params_shape[:-1]

    @property
    def event_shape(self) -> tuple:
        return ()

    @property
    def params(self) -> dict:
        return {'p': self.p}

    @property
    def mode(self):
        # int64 class indices, as the samples.
        return chainer.Variable(utils.force_array(self.p.array.argmax(axis=-1), numpy.int64))

    @property
    def entropy(self):
        if self._p is None:
            p = self.p
            if bool((p.array > 0).all()):
                # Chainer's -sum(p log p), p = exp(log_softmax(logit)): its bits
                return -F.sum(_u._modified_xlogx(p), axis=-1)
            # Classes with p = 0 (a -inf logit) add 0 (not 0 * -inf), silently.
            log_p = self.log_p
            possible = log_p.array != -numpy.inf
            log_p = F.where(possible, log_p, log_p.xp.zeros_like(log_p.array))
            return -F.sum(p * log_p, axis=-1)
        return -F.sum(_u._modified_xlogx(self._p), axis=-1)

    @property
    def support(self) -> str:
        return f'[0, {self._params_shape[-1] - 1}]'

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = chainer.as_array(x)
        xp = chainer.backend.get_array_module(x)
        x = xp.asarray(x).astype(numpy.int32, copy=False)
        log_p = self.log_p
        k = log_p.shape[-1]
        try:
            shape = numpy.broadcast_shapes(x.shape, self.batch_shape)
        except ValueError:
            raise ValueError(f'Categorical: values of shape {x.shape} do not match the batch '
                             f'shape {self.batch_shape}') from None
        if log_p.shape[:-1] != shape:
            log_p = F.broadcast_to(log_p, shape + (k,))
        if x.shape != shape:
            x = xp.broadcast_to(x, shape)
        picked = F.select_item(F.reshape(log_p, (-1, k)), x.reshape(-1))
        return F.reshape(picked, shape)

    def sample_n(self, n: int) -> Variable:
        return chainer.Variable(_u._sample_class_indices(self.p, n))


@distribution.register_kl(Categorical, Categorical)
def _kl_categorical_categorical(dist1: Categorical, dist2: Categorical):
    p1, log_p2 = dist1.p, dist2.log_p
    kl = _u._chainer_kl_of_classes(p1, lambda: dist1.log_p, log_p2)
    if kl is not None:
        return kl
    return -dist1.entropy - F.sum(p1 * log_p2, axis=-1)
