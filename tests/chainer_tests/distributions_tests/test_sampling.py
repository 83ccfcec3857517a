"""Empirical moments of ``sample_n`` (fixed seed) against the distributions' own moments."""
from __future__ import annotations

import numpy
import pytest

from chainer import distributions as D
from tests.chainer_tests.distributions_tests import _specs

BACKENDS = ['numpy', pytest.param('cupy', marks=pytest.mark.gpu)]
N = 20000


def _seed(backend):
    numpy.random.seed(0)
    if backend == 'cupy':
        import cupy
        cupy.random.seed(0)


def _check_moments(samples, mean, std, n=N):
    # The mean within 5 standard errors; the standard deviation within 5 %.
    numpy.testing.assert_array_less(numpy.abs(samples.mean(axis=0) - mean), 5 * std / n ** 0.5)
    numpy.testing.assert_allclose(samples.std(axis=0), std, rtol=0.05)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('name', sorted(set(_specs.SCALAR_SPECS) - {'Cauchy'}))
def test_sample_moments(name, dtype, backend):
    spec = _specs.SCALAR_SPECS[name]
    params = _specs.as_dtype(spec.make(numpy.random.RandomState(30), (2,)), dtype)
    dist = spec.cls(**spec.kwargs(_specs.to_device(params, backend)))
    _seed(backend)
    samples = dist.sample_n(N)
    assert samples.shape == (N, 2) and samples.dtype == dtype
    ref = spec.scipy({k: v.astype(numpy.float64) for k, v in params.items()})
    _check_moments(_specs.to_cpu(samples).astype(numpy.float64), ref.mean(), ref.std())
    assert dist.sample((2, 3)).shape == (2, 3, 2)


@pytest.mark.parametrize('backend', BACKENDS)
def test_cauchy_quartiles(backend):
    params = {'loc': numpy.array([0.5, -1.0]), 'scale': numpy.array([1.0, 2.0])}
    dist = D.Cauchy(**_specs.to_device(params, backend))
    _seed(backend)
    samples = _specs.to_cpu(dist.sample_n(N))
    q1, q2, q3 = numpy.percentile(samples, [25, 50, 75], axis=0)
    numpy.testing.assert_array_less(numpy.abs(q2 - params['loc']), 0.05 * params['scale'])
    numpy.testing.assert_allclose(q3 - q1, 2 * params['scale'], rtol=0.05)


@pytest.mark.parametrize('backend', BACKENDS)
def test_event_distribution_moments(backend):
    rng = numpy.random.RandomState(31)
    p = rng.dirichlet(numpy.ones(4), 2)
    alpha = rng.uniform(1, 3, (2, 4))
    loc = rng.normal(size=(2, 3))
    tril = numpy.tril(rng.normal(size=(2, 3, 3)) * 0.3) + numpy.eye(3)
    dev = _specs.to_device({'p': p, 'alpha': alpha, 'loc': loc, 'tril': tril}, backend)
    _seed(backend)

    cat = _specs.to_cpu(D.Categorical(dev['p']).sample_n(N))
    assert cat.dtype == numpy.int32 and cat.shape == (N, 2)
    freq = numpy.stack([(cat == k).mean(axis=0) for k in range(4)], axis=-1)
    numpy.testing.assert_allclose(freq, p, atol=0.015)

    one_hot = _specs.to_cpu(D.OneHotCategorical(dev['p']).sample_n(N))
    assert one_hot.shape == (N, 2, 4) and (one_hot.sum(axis=-1) == 1).all()
    numpy.testing.assert_allclose(one_hot.mean(axis=0), p, atol=0.015)

    dirichlet = D.Dirichlet(dev['alpha'])
    _check_moments(_specs.to_cpu(dirichlet.sample_n(N)), _specs.to_cpu(dirichlet.mean),
                   _specs.to_cpu(dirichlet.stddev))

    mvn = D.MultivariateNormal(dev['loc'], scale_tril=dev['tril'])
    x = _specs.to_cpu(mvn.sample_n(N))
    _check_moments(x, loc, _specs.to_cpu(mvn.stddev))
    centred = x - x.mean(axis=0)
    cov = numpy.einsum('nbi,nbj->bij', centred, centred) / N
    numpy.testing.assert_allclose(cov, _specs.to_cpu(mvn.covariance), atol=0.05)


def test_fixed_seed_repeats():
    dist = D.Normal(numpy.zeros(3, numpy.float32), numpy.ones(3, numpy.float32))
    numpy.random.seed(5)
    a = dist.sample_n(4).array
    numpy.random.seed(5)
    numpy.testing.assert_array_equal(a, dist.sample_n(4).array)
