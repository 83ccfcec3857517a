"""Each registered KL divergence against an integral (or sum) of SciPy densities."""
from __future__ import annotations

import numpy
import pytest
from scipy import stats

import chainer
from chainer import distributions as D
from tests.chainer_tests.distributions_tests import _specs

BACKENDS = ['numpy', pytest.param('cupy', marks=pytest.mark.gpu)]

# Scalar-event pairs whose KL SciPy evaluates as E_1[log p1 - log p2] by quadrature
# (or summation for the discrete ones).
_QUAD = ['Beta', 'Cauchy', 'Chisquare', 'Exponential', 'Gamma', 'Geometric', 'Gumbel',
         'Laplace', 'LogNormal', 'Normal', 'Pareto', 'Poisson']


def _scipy_kl(ref1, ref2, discrete: bool) -> float:
    if discrete:
        lo, hi = ref1.support()
        k = numpy.arange(max(lo, 0), min(hi, 400) + 1)
        p1 = ref1.pmf(k)
        keep = p1 > 0
        return float(numpy.sum(p1[keep] * (ref1.logpmf(k[keep]) - ref2.logpmf(k[keep]))))

    # E_1[log p1 - log p2] as an integral over the quantiles u of p1 (x = ppf(u)),
    # by the tanh-sinh rule, which copes with the log singularities at u = 0 and 1,
    # on pieces split at the medians (where Laplace densities have kinks).
    breaks = sorted({0.0, 0.5, float(ref1.cdf(ref2.median())), 1.0})
    total = 0.0
    for a, b in zip(breaks[:-1], breaks[1:]):
        if b - a > 1e-12:
            total += _tanh_sinh(ref1, ref2, a, b)
    return total


def _tanh_sinh(ref1, ref2, a: float, b: float) -> float:
    h = 1 / 64
    t = numpy.arange(-4, 4 + h, h)
    s = numpy.pi / 2 * numpy.sinh(t)
    lower = 1 / (1 + numpy.exp(2 * numpy.abs(s)))  # distance to the nearer end, in (0, 1/2]
    with numpy.errstate(all='ignore'):
        x = numpy.where(t < 0, ref1.ppf(a + (b - a) * lower),
                        ref1.isf((1 - b) + (b - a) * lower))
        f = ref1.logpdf(x) - ref2.logpdf(x)
    weight = (b - a) * h * numpy.pi / 4 * numpy.cosh(t) / numpy.cosh(s) ** 2
    return float(numpy.sum(weight * numpy.where(numpy.isfinite(f), f, 0.0)))


def _pair(name, rng, shape, dtype):
    spec = _specs.SCALAR_SPECS[name]
    p1 = _specs.as_dtype(spec.make(rng, shape), dtype)
    p2 = _specs.as_dtype(spec.make(rng, shape), dtype)
    if name == 'Pareto':  # finite only when the first support lies in the second
        p2['scale'] = (p1['scale'] * 0.8).astype(dtype)
    return spec, p1, p2


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('name', _QUAD)
def test_kl_scalar(name, dtype, backend):
    rng = numpy.random.RandomState(10)
    n = 2
    spec, p1, p2 = _pair(name, rng, (n,), dtype)
    d1 = spec.cls(**spec.kwargs(_specs.to_device(p1, backend)))
    d2 = spec.cls(**spec.kwargs(_specs.to_device(p2, backend)))
    kl = chainer.kl_divergence(d1, d2)
    assert kl.shape == (n,) and kl.dtype == dtype
    expected = []
    for i in range(n):
        r1 = spec.scipy({k: numpy.float64(v[i]) for k, v in p1.items()})
        r2 = spec.scipy({k: numpy.float64(v[i]) for k, v in p2.items()})
        expected.append(_scipy_kl(r1, r2, spec.discrete))
    tol = {'rtol': 2e-4, 'atol': 2e-5} if dtype == numpy.float32 else {
        'rtol': 1e-6, 'atol': 1e-7}
    numpy.testing.assert_allclose(_specs.to_cpu(kl), expected, **tol)
    # The cross entropy is the entropy plus the KL divergence.
    if 'entropy' in spec.targets:
        ce = chainer.cross_entropy(d1, d2)
        numpy.testing.assert_allclose(_specs.to_cpu(ce),
                                      _specs.to_cpu(d1.entropy) + _specs.to_cpu(kl), **tol)


def test_kl_bernoulli():
    p1, p2 = numpy.array([0.2, 0.7]), numpy.array([0.5, 0.1])
    kl = chainer.kl_divergence(D.Bernoulli(p1), D.Bernoulli(logit=numpy.log(p2 / (1 - p2))))
    expected = [stats.entropy([a, 1 - a], [b, 1 - b]) for a, b in zip(p1, p2)]
    numpy.testing.assert_allclose(kl.array, expected, rtol=1e-10)


def test_kl_uniform():
    d1 = D.Uniform(low=numpy.array([0., 0.]), high=numpy.array([1., 1.]))
    d2 = D.Uniform(low=numpy.array([-1., 0.5]), high=numpy.array([2., 3.]))
    kl = chainer.kl_divergence(d1, d2).array
    ref1 = stats.uniform(0, 1)
    ref2 = stats.uniform(-1, 3)
    numpy.testing.assert_allclose(kl[0], ref1.expect(lambda x: -ref2.logpdf(x)) - 0.0)
    assert kl[1] == numpy.inf  # [0, 1] is not inside [0.5, 3]


def test_kl_uniform_by_loc_and_scale_gives_the_lower_ends_a_zero_gradient():
    loc1, scale1, loc2, scale2 = (chainer.Variable(numpy.array(v)) for v in (
        [0.5, 1.0], [2.0, 3.0], [0.2, 0.5], [3.0, 4.0]))
    kl = chainer.kl_divergence(D.Uniform(loc=loc1, scale=scale1),
                               D.Uniform(loc=loc2, scale=scale2))
    numpy.testing.assert_allclose(kl.array, numpy.log([1.5, 4 / 3]), rtol=1e-12)
    chainer.functions.sum(kl).backward()
    for loc in (loc1, loc2):
        numpy.testing.assert_array_equal(loc.grad, numpy.zeros(2))
    numpy.testing.assert_allclose(scale1.grad, [-0.5, -1 / 3], rtol=1e-12)
    numpy.testing.assert_allclose(scale2.grad, [1 / 3, 0.25], rtol=1e-12)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_kl_geometric_small_p(dtype):
    # 1 - p rounds to 1 for small p: KL(d || d) is still exactly 0, and nearby pairs
    # keep their (positive) divergence.
    p1 = numpy.array([1e-8, 1e-4, 0.3, 1e-8, 1.0], dtype)
    p2 = numpy.array([1e-8, 1e-4, 0.3, 2e-8, 0.4], dtype)
    kl = chainer.kl_divergence(D.Geometric(p1), D.Geometric(p2)).array
    numpy.testing.assert_array_equal(kl[:3], 0)
    a, b = p1[3].astype(numpy.float64), p2[3].astype(numpy.float64)
    want = (1 - a) * (numpy.log1p(-a) - numpy.log1p(-b)) / a + numpy.log(a / b)
    numpy.testing.assert_allclose(kl[3], want, rtol=1e-5)
    numpy.testing.assert_allclose(kl[4], -numpy.log(0.4), rtol=1e-6)  # p1 = 1: 0 log 0 = 0


def test_normal_float16_computes_in_float32():
    # Squares of float16 scales above 256 overflow; the density and the KL divergence
    # are computed in float32 and rounded once.
    loc = numpy.array([0.0, 3.0, -2.0], numpy.float16)
    scale = numpy.array([1e-3, 500.0, 4000.0], numpy.float16)
    d = D.Normal(loc, scale)
    kl = chainer.kl_divergence(d, d)
    assert kl.dtype == numpy.float16
    numpy.testing.assert_array_equal(kl.array, 0)
    x = numpy.array([0.0, 1003.0, -6002.0], numpy.float16)
    lp = d.log_prob(x)
    assert lp.dtype == numpy.float16
    want = stats.norm(loc.astype(numpy.float64), scale.astype(numpy.float64)).logpdf(
        x.astype(numpy.float64))
    numpy.testing.assert_allclose(lp.array, want, rtol=1e-3)


def test_kl_pareto_outside_support_is_infinite():
    d1 = D.Pareto(numpy.array([1.0]), numpy.array([3.0]))
    d2 = D.Pareto(numpy.array([2.0]), numpy.array([3.0]))
    assert chainer.kl_divergence(d1, d2).array[0] == numpy.inf


@pytest.mark.parametrize('backend', BACKENDS)
def test_kl_categorical_and_one_hot(backend):
    rng = numpy.random.RandomState(11)
    p1, p2 = (rng.dirichlet(numpy.ones(4), (3,)) for _ in range(2))
    expected = stats.entropy(p1, p2, axis=-1)
    dev = _specs.to_device({'p1': p1, 'p2': p2}, backend)
    logit2 = numpy.log(dev['p2']) + 1.5
    kl = chainer.kl_divergence(D.Categorical(dev['p1']), D.Categorical(logit=logit2))
    numpy.testing.assert_allclose(_specs.to_cpu(kl), expected, rtol=1e-10)
    kl = chainer.kl_divergence(D.OneHotCategorical(dev['p1']), D.OneHotCategorical(dev['p2']))
    numpy.testing.assert_allclose(_specs.to_cpu(kl), expected, rtol=1e-10)


@pytest.mark.parametrize('dist', [D.Categorical, D.OneHotCategorical])
def test_kl_of_classes_with_an_impossible_class_is_silent(dist, recwarn):
    # p1 = 0 for a class adds 0, with no log(0) warning on the way
    p1 = numpy.array([[0.0, 0.5, 0.5]], numpy.float32)
    p2 = numpy.array([[0.2, 0.3, 0.5]], numpy.float32)
    kl = chainer.kl_divergence(dist(p1), dist(p2))
    numpy.testing.assert_allclose(kl.array, stats.entropy(p1, p2, axis=-1), rtol=1e-6)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_kl_dirichlet_monte_carlo_free():
    rng = numpy.random.RandomState(12)
    a1, a2 = rng.uniform(0.8, 3, (2, 3)), rng.uniform(0.8, 3, (2, 3))
    kl = chainer.kl_divergence(D.Dirichlet(a1), D.Dirichlet(a2)).array
    # KL = -H(p1) - E_1[log p2], and E_1[log x_i] = digamma(a_i) - digamma(sum a).
    from scipy.special import digamma, gammaln
    for i in range(2):
        ref1 = stats.dirichlet(a1[i])
        e_log_x = digamma(a1[i]) - digamma(a1[i].sum())
        e_log_p2 = (gammaln(a2[i].sum()) - gammaln(a2[i]).sum()
                    + ((a2[i] - 1) * e_log_x).sum())
        numpy.testing.assert_allclose(kl[i], -ref1.entropy() - e_log_p2, rtol=1e-10)


def test_kl_multivariate_normal():
    rng = numpy.random.RandomState(13)
    from tests.chainer_tests.distributions_tests.test_scipy_reference import _random_tril
    loc1, loc2 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    t1, t2 = _random_tril(rng, (2,), 3), _random_tril(rng, (2,), 3)
    d1 = D.MultivariateNormal(loc1, scale_tril=t1)
    d2 = D.MultivariateNormal(loc2, scale_tril=t2)
    kl = chainer.kl_divergence(d1, d2).array
    for i in range(2):
        c1, c2 = t1[i] @ t1[i].T, t2[i] @ t2[i].T
        ref1 = stats.multivariate_normal(loc1[i], c1)
        # E_1[log p2] in closed form from the first two moments of p1.
        inv2 = numpy.linalg.inv(c2)
        diff = loc1[i] - loc2[i]
        e_log_p2 = (-0.5 * (numpy.trace(inv2 @ c1) + diff @ inv2 @ diff)
                    - 0.5 * numpy.linalg.slogdet(2 * numpy.pi * c2)[1])
        numpy.testing.assert_allclose(kl[i], -ref1.entropy() - e_log_p2, rtol=1e-10)


def test_kl_independent():
    rng = numpy.random.RandomState(14)
    n1 = D.Normal(rng.normal(size=(2, 3)), rng.uniform(0.5, 2, (2, 3)))
    n2 = D.Normal(rng.normal(size=(2, 3)), rng.uniform(0.5, 2, (2, 3)))
    kl = chainer.kl_divergence(D.Independent(n1), D.Independent(n2))
    numpy.testing.assert_allclose(kl.array, chainer.kl_divergence(n1, n2).array.sum(axis=1))
    with pytest.raises(ValueError, match='reinterpreted_batch_ndims'):
        chainer.kl_divergence(D.Independent(n1, 1), D.Independent(n2, 2))


def test_kl_independent_broadcasts_batch_shapes():
    # A posterior batch against one prior, as in a VAE.
    rng = numpy.random.RandomState(15)
    q = D.Normal(rng.normal(size=(4, 3)), rng.uniform(0.5, 2, (4, 3)))
    prior = D.Normal(numpy.zeros(3), numpy.ones(3))
    kl = chainer.kl_divergence(D.Independent(q, 1), D.Independent(prior, 1))
    assert kl.shape == (4,)
    numpy.testing.assert_allclose(kl.array, chainer.kl_divergence(q, prior).array.sum(axis=1))


def _positive_pairs(dtype, n=4):
    rng = numpy.random.RandomState(0)
    return [rng.uniform(0.5, 3, (3, 4)).astype(dtype) for _ in range(n)]


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_kl_gamma_bitwise_as_chainer(dtype):
    # Chainer's (k1 - k2) digamma(k1) - (lgamma(k1) - lgamma(k2))
    # + k2 (log t2 - log t1) + k1 (t1 / t2 - 1)
    from scipy import special
    k1, t1, k2, t2 = _positive_pairs(dtype)
    expected = ((k1 - k2) * special.digamma(k1) - (special.gammaln(k1) - special.gammaln(k2))
                + k2 * (numpy.log(t2) - numpy.log(t1)) + k1 * (t1 / t2 - dtype(1)))
    kl = chainer.kl_divergence(D.Gamma(k1, t1), D.Gamma(k2, t2))
    numpy.testing.assert_array_equal(kl.array, expected)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_kl_pareto_bitwise_as_chainer(dtype):
    # Chainer's a2 (log s1 - log s2) + log a1 - log a2 + (a2 - a1) / a1 (s1 >= s2)
    s1, a1, s2, a2 = _positive_pairs(dtype)
    s1 = s1 + s2
    expected = (a2 * (numpy.log(s1) - numpy.log(s2)) + numpy.log(a1) - numpy.log(a2)
                + (a2 - a1) / a1)
    kl = chainer.kl_divergence(D.Pareto(s1, a1), D.Pareto(s2, a2))
    numpy.testing.assert_array_equal(kl.array, expected)
