"""Empirical moments of ``sample_n`` (fixed seed) against the distributions' own moments."""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import distributions as D
from chainer import gradient_check
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
    # Bernoulli draws int64 0/1 values, as numpy.random.binomial (and Chainer) does.
    assert samples.shape == (N, 2)
    assert samples.dtype == (numpy.int64 if name == 'Bernoulli' else dtype)
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
    assert cat.dtype == numpy.int64 and cat.shape == (N, 2)
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


# Seeded draws are Chainer's: each distribution draws from numpy.random as Chainer 7.8.1 did.

def _draws(make, seed=3):
    numpy.random.seed(seed)
    return make()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_seeded_scalar_draws_follow_numpy_random(dtype):
    loc = numpy.array([0.0, 1.0, -1.0], dtype)
    scale = numpy.array([1.0, 2.0, 0.5], dtype)
    alpha = numpy.array([1.5, 3.0, 0.8], dtype)
    p = numpy.array([0.2, 0.5, 0.9], dtype)
    size = (5, 3)

    got = _draws(lambda: D.Bernoulli(p).sample_n(5).array)
    assert got.dtype == numpy.int64
    numpy.testing.assert_array_equal(got, _draws(lambda: numpy.random.binomial(1, p, size)))

    got = _draws(lambda: D.Cauchy(loc, scale).sample_n(5).array)
    want = _draws(lambda: loc + scale * numpy.random.standard_cauchy(size).astype(dtype))
    numpy.testing.assert_array_equal(got, want)

    got = _draws(lambda: D.Gumbel(loc, scale).sample_n(5).array)
    want = _draws(lambda: loc + scale * numpy.random.gumbel(size=size).astype(dtype))
    numpy.testing.assert_array_equal(got, want)

    got = _draws(lambda: D.Pareto(scale, alpha).sample_n(5).array)
    want = _draws(lambda: scale * (numpy.random.pareto(alpha, size).astype(dtype) + 1))
    assert got.dtype == dtype
    numpy.testing.assert_array_equal(got, want)


def test_seeded_class_draws_follow_numpy_random_choice():
    rng = numpy.random.RandomState(5)
    p = rng.dirichlet(numpy.ones(4), (2, 3)).astype(numpy.float32)
    rows = p.reshape(-1, 4)

    def choice():
        picks = [numpy.random.choice(4, 7, p=row) for row in rows]
        return numpy.stack(picks, axis=1).reshape(7, 2, 3)

    got = _draws(lambda: D.Categorical(p).sample_n(7).array)
    assert got.dtype == numpy.int64
    numpy.testing.assert_array_equal(got, _draws(choice))
    logit = numpy.log(p)
    got = _draws(lambda: D.Categorical(logit=logit).sample((7,)).array)
    assert got.shape == (7, 2, 3)
    one_hot = _draws(lambda: D.OneHotCategorical(p).sample_n(7).array)
    assert one_hot.dtype == numpy.float32 and one_hot.shape == (7, 2, 3, 4)
    numpy.testing.assert_array_equal(one_hot.argmax(axis=-1), _draws(choice))
    assert (one_hot.sum(axis=-1) == 1).all()


def test_class_draws_need_rows_that_sum_to_one():
    dist = D.Categorical(numpy.array([[0.2, 0.3, 0.4], [0.2, 0.3, 0.5]], numpy.float32))
    with pytest.raises(ValueError):
        dist.sample_n(2)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_seeded_dirichlet_draws_follow_numpy_random(dtype):
    alpha = numpy.random.RandomState(6).uniform(0.3, 3.0, (2, 3, 4)).astype(dtype)

    def dirichlet():
        rows = [numpy.random.dirichlet(a, 5) for a in alpha.reshape(-1, 4)]
        return numpy.stack(rows, axis=1).reshape(5, 2, 3, 4).astype(dtype)

    got = _draws(lambda: D.Dirichlet(alpha).sample_n(5).array)
    assert got.dtype == dtype
    numpy.testing.assert_array_equal(got, _draws(dirichlet))


def test_pareto_sample_is_reparameterised_in_alpha():
    scale = numpy.array([1.0, 2.0], numpy.float64)
    alpha = numpy.array([1.5, 3.0], numpy.float64)

    def draw(a):
        numpy.random.seed(4)
        return D.Pareto(scale, a).sample_n(3)

    a = chainer.Variable(alpha.copy())
    y = draw(a)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    h = 1e-6
    numeric = [(draw(alpha + h * e).array - draw(alpha - h * e).array).sum() / (2 * h)
               for e in numpy.eye(2)]
    numpy.testing.assert_allclose(a.grad, numeric, rtol=1e-5)
    # The noise node differentiates again.
    gradient_check.check_double_backward(
        draw, (alpha,), numpy.ones((3, 2)), numpy.ones(2), dtype=numpy.float64)


def test_categorical_probabilities_from_logits_round_as_chainer():
    # p = exp(logit - logsumexp(logit)): the draws' cumulative sums are Chainer's.
    logit = numpy.random.RandomState(8).normal(size=(50, 5)).astype(numpy.float32) * 3
    m = logit.max(axis=-1, keepdims=True)
    want = numpy.exp(logit - (m + numpy.log(numpy.exp(logit - m).sum(axis=-1, keepdims=True))))
    numpy.testing.assert_array_equal(D.Categorical(logit=logit).p.array, want)
