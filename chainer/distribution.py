"""The base class of probability distributions and the KL divergence registry."""
from __future__ import annotations

import copy as copy_module
import math
from typing import TYPE_CHECKING, Any, Callable

from chainer import backend
from chainer import configuration
from chainer.functions.math import exponential
from chainer.functions.array import reshape
from chainer.functions.math import sqrt

if TYPE_CHECKING:
    from chainer.types import ShapeSpec, VariableOrArray
    from chainer.variable import Variable


class Distribution:
    """A probability distribution whose quantities are differentiable Variables.

    Subclasses hold their parameters as Variables and implement what they
    can; everything else raises ``NotImplementedError``.  Shapes follow the
    usual convention: a value has shape ``sample_shape + batch_shape +
    event_shape``, and densities, entropies and KL divergences have shape
    ``sample_shape + batch_shape``.
    """

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, None, _pickle_compat.distribution_state)

    def __repr__(self) -> str:
        try:
            with configuration.using_config('debug', False):  # printing never raises on NaN
                params = self.params
        except NotImplementedError:
            params = {}
        args = ', '.join(f'{name}={_short_repr(value)}' for name, value in params.items())
        return f'{type(self).__name__}({args})'

    def __copy__(self) -> 'Distribution':
        new = type(self).__new__(type(self))
        new.__dict__.update(self.__dict__)
        return new

    def copy(self) -> 'Distribution':
        """A shallow copy: the same parameter Variables in a new distribution object."""
        return copy_module.copy(self)

    @property
    def batch_shape(self) -> tuple:
        """The shape of one batch of independent distributions."""
        raise NotImplementedError

    @property
    def event_shape(self) -> tuple:
        """The shape of one draw from a single distribution of the batch."""
        raise NotImplementedError

    @property
    def params(self) -> dict:
        """The parameters, by name, as Variables."""
        raise NotImplementedError

    @property
    def xp(self):
        """The array module of the parameters (``numpy`` or ``cupy``)."""
        return backend.get_array_module(*self.params.values())

    @property
    def covariance(self):
        """The covariance matrix of the event."""
        raise NotImplementedError

    @property
    def entropy(self):
        """The differential (or Shannon) entropy, shape ``batch_shape``."""
        raise NotImplementedError

    @property
    def mean(self):
        """The mean, shape ``batch_shape + event_shape``."""
        raise NotImplementedError

    @property
    def mode(self):
        """The most probable value."""
        raise NotImplementedError

    @property
    def variance(self):
        """The variance of each element of the event."""
        raise NotImplementedError

    @property
    def stddev(self):
        """The standard deviation of each element of the event."""
        return sqrt.sqrt(self.variance)

    @property
    def support(self) -> str:
        """A short description of the set the values lie in."""
        raise NotImplementedError

    def cdf(self, x: VariableOrArray) -> Variable:
        """The cumulative distribution function at ``x``."""
        raise NotImplementedError

    def icdf(self, x: VariableOrArray) -> Variable:
        """The inverse of the cumulative distribution function at ``x``."""
        raise NotImplementedError

    def log_cdf(self, x: VariableOrArray) -> Variable:
        """The logarithm of the cumulative distribution function at ``x``."""
        return exponential.log(self.cdf(x))

    def log_prob(self, x: VariableOrArray) -> Variable:
        """The logarithm of the density (or mass) function at ``x``."""
        raise NotImplementedError

    def log_survival_function(self, x: VariableOrArray) -> Variable:
        """The logarithm of the survival function at ``x``."""
        return exponential.log(self.survival_function(x))

    def perplexity(self, x: VariableOrArray) -> Variable:
        """The perplexity at ``x``: ``exp(-log_prob(x))``."""
        return exponential.exp(-self.log_prob(x))

    def prob(self, x: VariableOrArray) -> Variable:
        """The density (or mass) function at ``x``."""
        return exponential.exp(self.log_prob(x))

    def sample(self, sample_shape: ShapeSpec = ()) -> Variable:
        """Draws values of shape ``sample_shape + batch_shape + event_shape``."""
        if isinstance(sample_shape, int):
            sample_shape = (sample_shape,)
        sample_shape = tuple(sample_shape)
        n = math.prod(sample_shape)
        samples = self.sample_n(n)
        return reshape.reshape(samples, sample_shape + samples.shape[1:])

    def sample_n(self, n: int) -> Variable:
        """Draws ``n`` values: shape ``(n,) + batch_shape + event_shape``."""
        raise NotImplementedError

    def survival_function(self, x: VariableOrArray) -> Variable:
        """The survival function ``1 - cdf(x)`` at ``x``."""
        return 1.0 - self.cdf(x)


def _short_repr(value) -> str:
    array = getattr(value, 'array', value)
    shape = getattr(array, 'shape', None)
    if shape is not None and getattr(array, 'size', 1) > 6:
        return f'<{type(array).__name__} shape={shape} dtype={array.dtype}>'
    text = repr(array)
    return ' '.join(text.split())


_KLDIVERGENCE: dict = {}


def register_kl(Dist1: type, Dist2: type) -> Callable:
    """Decorator registering ``f(dist1, dist2)`` as the KL divergence of two classes.

    >>> @register_kl(MyDist, MyDist)
    ... def _kl_mydist(d1, d2):
    ...     return ...
    """
    def decorator(kl: Callable) -> Callable:
        _KLDIVERGENCE[Dist1, Dist2] = kl
        return kl
    return decorator


def _find_kl(type1: type, type2: type):
    kl = _KLDIVERGENCE.get((type1, type2))
    if kl is not None:
        return kl
    # A subclass uses the registration of its nearest registered ancestors.
    for base1 in type1.__mro__:
        for base2 in type2.__mro__:
            kl = _KLDIVERGENCE.get((base1, base2))
            if kl is not None:
                return kl
    return None


class KLNotRegisteredError(NotImplementedError, KeyError):
    """No KL divergence is registered for a pair of distribution classes.

    It is a ``NotImplementedError`` and, as Chainer raised for such a pair,
    a ``KeyError``.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def kl_divergence(dist1: Distribution, dist2: Distribution) -> Variable:
    """The Kullback-Leibler divergence ``KL(dist1 || dist2)``, shape ``batch_shape``.

    Raises :class:`KLNotRegisteredError` (a ``NotImplementedError`` and a
    ``KeyError``) when no function is registered for the two classes (see
    :func:`register_kl`).
    """
    kl = _find_kl(type(dist1), type(dist2))
    if kl is None:
        raise KLNotRegisteredError(
            f'no KL divergence is registered for {type(dist1).__name__} and '
            f'{type(dist2).__name__}')
    return kl(dist1, dist2)


def cross_entropy(dist1: Distribution, dist2: Distribution) -> Variable:
    """The cross entropy ``H(dist1) + KL(dist1 || dist2)``, shape ``batch_shape``."""
    return dist1.entropy + kl_divergence(dist1, dist2)
