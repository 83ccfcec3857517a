"""One table describing each distribution for the tests: parameters, SciPy twin, test points.

Each spec has
- ``make(rng, shape)``: parameters as float64 NumPy arrays of the batch ``shape``,
- ``kwargs(params)``: the constructor's keyword arguments,
- ``scipy(params)``: the frozen, vectorised ``scipy.stats`` distribution
  (scalar events only),
- ``points(rng, params, shape)``: values inside the support,
- ``targets``: what to compare with SciPy,
- ``reparam``: the names of the parameters ``sample`` is differentiable in.
"""
from __future__ import annotations

import dataclasses
from typing import Callable

import numpy
from scipy import stats

from chainer import distributions as D


@dataclasses.dataclass
class Spec:
    cls: type
    make: Callable
    scipy: Callable | None
    points: Callable
    targets: frozenset
    kwargs: Callable = dict
    reparam: tuple = ()
    discrete: bool = False
    # Parameter values that must be rejected: {name: bad value}.
    bad: dict = dataclasses.field(default_factory=dict)


def _u(rng, low, high, shape):
    return rng.uniform(low, high, shape)


SCALAR_SPECS = {
    'Bernoulli': Spec(
        D.Bernoulli,
        lambda rng, s: {'p': _u(rng, 0.1, 0.9, s)},
        lambda p: stats.bernoulli(p['p']),
        lambda rng, p, s: rng.randint(0, 2, s).astype(numpy.float64),
        frozenset({'mean', 'variance', 'stddev', 'entropy', 'log_prob', 'prob'}),
        discrete=True, bad={'p': 1.5}),
    'Beta': Spec(
        D.Beta,
        lambda rng, s: {'a': _u(rng, 0.8, 3, s), 'b': _u(rng, 0.8, 3, s)},
        lambda p: stats.beta(p['a'], p['b']),
        lambda rng, p, s: _u(rng, 0.05, 0.95, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob', 'prob'}),
        bad={'a': -1.0}),
    'Cauchy': Spec(
        D.Cauchy,
        lambda rng, s: {'loc': rng.normal(size=s), 'scale': _u(rng, 0.5, 2, s)},
        lambda p: stats.cauchy(p['loc'], p['scale']),
        lambda rng, p, s: rng.normal(size=s) * 2,
        frozenset({'entropy', 'log_prob', 'cdf', 'icdf', 'survival'}),
        reparam=('loc', 'scale'), bad={'scale': 0.0}),
    'Chisquare': Spec(
        D.Chisquare,
        lambda rng, s: {'k': _u(rng, 1, 5, s)},
        lambda p: stats.chi2(p['k']),
        lambda rng, p, s: _u(rng, 0.1, 5, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob'}),
        bad={'k': -2.0}),
    'Exponential': Spec(
        D.Exponential,
        lambda rng, s: {'lam': _u(rng, 0.5, 2, s)},
        lambda p: stats.expon(scale=1 / p['lam']),
        lambda rng, p, s: _u(rng, 0.1, 3, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob', 'cdf', 'icdf', 'survival',
                   'log_survival', 'log_cdf'}),
        reparam=('lam',), bad={'lam': -1.0}),
    'Gamma': Spec(
        D.Gamma,
        lambda rng, s: {'k': _u(rng, 0.8, 4, s), 'theta': _u(rng, 0.5, 2, s)},
        lambda p: stats.gamma(p['k'], scale=p['theta']),
        lambda rng, p, s: _u(rng, 0.1, 5, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob'}),
        bad={'theta': 0.0}),
    'Geometric': Spec(
        D.Geometric,
        lambda rng, s: {'p': _u(rng, 0.2, 0.8, s)},
        lambda p: stats.geom(p['p']),
        lambda rng, p, s: rng.randint(1, 6, s).astype(numpy.float64),
        frozenset({'mean', 'variance', 'entropy', 'log_prob'}),
        discrete=True, bad={'p': 0.0}),
    'Gumbel': Spec(
        D.Gumbel,
        lambda rng, s: {'loc': rng.normal(size=s), 'scale': _u(rng, 0.5, 2, s)},
        lambda p: stats.gumbel_r(p['loc'], p['scale']),
        lambda rng, p, s: rng.normal(size=s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob', 'cdf', 'log_cdf', 'icdf'}),
        reparam=('loc', 'scale'), bad={'scale': -1.0}),
    'Laplace': Spec(
        D.Laplace,
        lambda rng, s: {'loc': rng.normal(size=s), 'scale': _u(rng, 0.5, 2, s)},
        lambda p: stats.laplace(p['loc'], p['scale']),
        lambda rng, p, s: rng.normal(size=s) * 2,
        frozenset({'mean', 'variance', 'stddev', 'entropy', 'log_prob', 'cdf', 'icdf'}),
        reparam=('loc', 'scale'), bad={'scale': -1.0}),
    'LogNormal': Spec(
        D.LogNormal,
        lambda rng, s: {'mu': rng.normal(size=s) * 0.5, 'sigma': _u(rng, 0.3, 1, s)},
        lambda p: stats.lognorm(p['sigma'], scale=numpy.exp(p['mu'])),
        lambda rng, p, s: _u(rng, 0.1, 4, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob', 'cdf', 'icdf'}),
        reparam=('mu', 'sigma'), bad={'sigma': -1.0}),
    'Normal': Spec(
        D.Normal,
        lambda rng, s: {'loc': rng.normal(size=s), 'scale': _u(rng, 0.5, 2, s)},
        lambda p: stats.norm(p['loc'], p['scale']),
        lambda rng, p, s: rng.normal(size=s) * 2,
        frozenset({'mean', 'variance', 'stddev', 'entropy', 'log_prob', 'prob', 'cdf',
                   'log_cdf', 'icdf', 'survival', 'log_survival'}),
        reparam=('loc', 'scale'), bad={'scale': -1.0}),
    'Pareto': Spec(
        D.Pareto,
        lambda rng, s: {'scale': _u(rng, 0.5, 2, s), 'alpha': _u(rng, 4.5, 6, s)},
        lambda p: stats.pareto(p['alpha'], scale=p['scale']),
        lambda rng, p, s: p['scale'] * _u(rng, 1.01, 3, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob', 'cdf', 'icdf'}),
        reparam=('scale', 'alpha'), bad={'alpha': -1.0}),
    'Poisson': Spec(
        D.Poisson,
        lambda rng, s: {'lam': _u(rng, 0.5, 4, s)},
        lambda p: stats.poisson(p['lam']),
        lambda rng, p, s: rng.randint(0, 7, s).astype(numpy.float64),
        frozenset({'mean', 'variance', 'log_prob'}),
        discrete=True, bad={'lam': -1.0}),
    'Uniform': Spec(
        D.Uniform,
        lambda rng, s: (lambda low: {'low': low, 'high': low + _u(rng, 0.5, 2, s)})(
            rng.normal(size=s)),
        lambda p: stats.uniform(p['low'], p['high'] - p['low']),
        lambda rng, p, s: p['low'] + (p['high'] - p['low']) * _u(rng, 0.05, 0.95, s),
        frozenset({'mean', 'variance', 'entropy', 'log_prob', 'cdf', 'icdf'}),
        reparam=('low', 'high')),
}


def as_dtype(params: dict, dtype) -> dict:
    return {k: numpy.asarray(v, dtype) for k, v in params.items()}


def to_device(params: dict, backend: str) -> dict:
    if backend == 'numpy':
        return params
    import cupy
    return {k: cupy.asarray(v) for k, v in params.items()}


def to_cpu(x):
    array = getattr(x, 'array', x)
    return array.get() if hasattr(array, 'get') else numpy.asarray(array)
