"""Gradients of densities, entropies, KL divergences and reparameterised samples."""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import distributions as D
from chainer import gradient_check
from tests.chainer_tests.distributions_tests import _specs

_SKIP_LOG_PROB = {'Uniform'}  # constant in x inside the support; checked below


def _params(name, shape=(3,)):
    spec = _specs.SCALAR_SPECS[name]
    rng = numpy.random.RandomState(20)
    params = spec.make(rng, shape)
    return spec, params, spec.points(rng, params, (2,) + shape)


@pytest.mark.parametrize('name', sorted(set(_specs.SCALAR_SPECS) - _SKIP_LOG_PROB))
def test_log_prob_backward(name):
    spec, params, x = _params(name)
    names = sorted(params)

    def f(*values):
        return spec.cls(**spec.kwargs(dict(zip(names, values)))).log_prob(x)
    gradient_check.check_backward(f, tuple(params[k] for k in names),
                                  numpy.ones((2, 3)), atol=1e-6, rtol=1e-5, eps=1e-6)


@pytest.mark.parametrize('name', ['Normal', 'Gamma', 'Beta'])
def test_log_prob_double_backward(name):
    spec, params, x = _params(name)
    names = sorted(params)

    def f(*values):
        return spec.cls(**spec.kwargs(dict(zip(names, values)))).log_prob(x)
    rng = numpy.random.RandomState(0)
    inputs = tuple(params[k] for k in names)
    gradient_check.check_double_backward(
        f, inputs, rng.normal(size=(2, 3)), tuple(rng.normal(size=v.shape) for v in inputs),
        atol=1e-5, rtol=1e-4, eps=1e-6)


@pytest.mark.parametrize('name', sorted(n for n, s in _specs.SCALAR_SPECS.items() if s.reparam))
def test_sample_is_reparameterised(name):
    spec, params, _ = _params(name)
    names = list(spec.reparam)

    def f(*values):
        numpy.random.seed(0)  # the same noise in every evaluation
        return spec.cls(**spec.kwargs(dict(zip(names, values)))).sample_n(2)
    gradient_check.check_backward(f, tuple(params[k] for k in names), numpy.ones((2, 3)),
                                  atol=1e-5, rtol=1e-4, eps=1e-6)


def test_normal_log_scale_and_multivariate_normal_backward():
    rng = numpy.random.RandomState(21)
    x = rng.normal(size=(2, 3))
    gradient_check.check_backward(
        lambda loc, log_scale: D.Normal(loc, log_scale=log_scale).log_prob(x),
        (rng.normal(size=3), rng.normal(size=3) * 0.3), numpy.ones((2, 3)),
        atol=1e-6, rtol=1e-5, eps=1e-6)

    tril = numpy.tril(rng.normal(size=(3, 3)) * 0.3) + numpy.eye(3)

    def mvn(loc, scale_tril):
        # Only the lower triangle is a parameter.
        d = D.MultivariateNormal(loc, scale_tril=scale_tril * numpy.tri(3))
        numpy.random.seed(0)
        return d.log_prob(x) + d.entropy + chainer.functions.sum(d.sample_n(2), axis=-1)
    gradient_check.check_backward(mvn, (rng.normal(size=3), tril), numpy.ones(2),
                                  atol=1e-5, rtol=1e-4, eps=1e-6)


@pytest.mark.parametrize('log1,log2', [(True, False), (False, True), (True, True)])
def test_normal_log_scale_kl_and_log_prob_first_and_second_derivatives(log1, log2):
    rng = numpy.random.RandomState(23)
    x = rng.normal(size=(2, 3))

    def normal(loc, s, is_log):
        return D.Normal(loc, log_scale=s) if is_log else D.Normal(loc, s)

    def f(loc1, s1, loc2, s2):
        d1, d2 = normal(loc1, s1, log1), normal(loc2, s2, log2)
        return chainer.kl_divergence(d1, d2) + d1.log_prob(x) + d2.log_prob(x)
    args = tuple(rng.normal(size=3) * 0.3 if is_log is None or is_log else
                 rng.uniform(0.5, 2, 3) for is_log in (None, log1, None, log2))
    gy = rng.normal(size=(2, 3))
    gradient_check.check_backward(f, args, gy, atol=1e-6, rtol=1e-5, eps=1e-6)
    ggx = tuple(rng.normal(size=3) for _ in args)
    gradient_check.check_double_backward(f, args, gy, ggx, atol=1e-5, rtol=1e-4, eps=1e-6)


@numpy.errstate(over='ignore', divide='ignore')  # exp(200) and exp(-200) in float32
def test_normal_log_scale_is_used_as_given():
    # A log-scale whose exp over- or underflows still gives Chainer's finite values.
    loc, x = numpy.zeros(2, numpy.float32), numpy.ones(2, numpy.float32)
    wide_and_narrow = D.Normal(loc, log_scale=numpy.array([200.0, -200.0], numpy.float32))
    lp = wide_and_narrow.log_prob(x).array
    numpy.testing.assert_allclose(lp[0], -200 - 0.5 * numpy.log(2 * numpy.pi), rtol=1e-6)
    assert lp[1] == -numpy.inf
    unit = D.Normal(loc, log_scale=numpy.zeros(2, numpy.float32))
    kl = chainer.kl_divergence(wide_and_narrow, unit).array
    assert kl[0] == numpy.inf
    numpy.testing.assert_allclose(kl[1], 200 - 0.5, rtol=1e-6)
    back = chainer.kl_divergence(unit, wide_and_narrow).array
    numpy.testing.assert_allclose(back[0], 200 - 0.5, rtol=1e-6)
    assert back[1] == numpy.inf


def test_categorical_and_bernoulli_backward():
    rng = numpy.random.RandomState(22)
    x = rng.randint(0, 4, (2, 3)).astype(numpy.int32)
    gradient_check.check_backward(
        lambda logit: D.Categorical(logit=logit).log_prob(x) + D.Categorical(
            logit=logit).entropy, (rng.normal(size=(3, 4)),), numpy.ones((2, 3)),
        atol=1e-6, rtol=1e-5, eps=1e-6)
    xb = rng.uniform(0, 1, (2, 3))
    gradient_check.check_backward(
        lambda logit: D.Bernoulli(logit=logit).log_prob(xb), (rng.normal(size=3),),
        numpy.ones((2, 3)), atol=1e-6, rtol=1e-5, eps=1e-6)
    gradient_check.check_backward(
        lambda p: D.Bernoulli(p).entropy, (rng.uniform(0.2, 0.8, 3),), numpy.ones(3),
        atol=1e-6, rtol=1e-5, eps=1e-6)


@pytest.mark.parametrize('name', ['Normal', 'Gamma', 'Laplace', 'Gumbel', 'Beta'])
def test_kl_backward(name):
    spec = _specs.SCALAR_SPECS[name]
    rng = numpy.random.RandomState(23)
    p1, p2 = spec.make(rng, (3,)), spec.make(rng, (3,))
    names = sorted(p1)

    def f(*values):
        d1 = spec.cls(**spec.kwargs(dict(zip(names, values[:len(names)]))))
        d2 = spec.cls(**spec.kwargs(dict(zip(names, values[len(names):]))))
        return chainer.kl_divergence(d1, d2)
    gradient_check.check_backward(f, tuple(p1[k] for k in names) + tuple(p2[k] for k in names),
                                  numpy.ones(3), atol=1e-5, rtol=1e-4, eps=1e-6)


def test_laplace_cdf_nodes_double_backward():
    rng = numpy.random.RandomState(24)
    loc, scale = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    x, q = rng.normal(size=3) + 0.1, rng.uniform(0.1, 0.9, 3)
    gy, ggx = rng.normal(size=3), rng.normal(size=3)
    gradient_check.check_double_backward(
        lambda x: D.Laplace(loc, scale).cdf(x), (x,), gy, (ggx,), atol=1e-5, rtol=1e-4,
        eps=1e-6)
    gradient_check.check_double_backward(
        lambda q: D.Laplace(loc, scale).icdf(q), (q,), gy, (ggx,), atol=1e-5, rtol=1e-4,
        eps=1e-6)


def test_out_of_support_keeps_parameter_gradients_finite():
    k = chainer.Variable(numpy.array([2.0, 3.0]))
    logp = D.Gamma(k, numpy.array([1.0, 1.0])).log_prob(numpy.array([-1.0, 2.0]))
    assert logp.array[0] == -numpy.inf
    chainer.functions.sum(logp[1:]).backward()
    assert numpy.isfinite(k.grad).all() and k.grad[0] == 0


def test_normal_log_prob_and_kl_nodes_double_backward():
    # The one-pass Normal log-density and KL nodes, with broadcasting and x's gradient.
    rng = numpy.random.RandomState(25)
    loc, scale = rng.normal(size=3), rng.uniform(0.5, 2, 3)
    x = rng.normal(size=(2, 3))

    def log_prob(x, loc, scale):
        return D.Normal(loc, scale).log_prob(x)
    inputs = (x, loc, scale)
    gradient_check.check_double_backward(
        log_prob, inputs, rng.normal(size=(2, 3)),
        tuple(rng.normal(size=v.shape) for v in inputs), atol=1e-5, rtol=1e-4, eps=1e-6)

    def kl(l1, s1, l2, s2):
        return chainer.kl_divergence(D.Normal(l1, s1), D.Normal(l2, s2))
    inputs = (rng.normal(size=(2, 3)), rng.uniform(0.5, 2, (2, 3)), loc, scale)
    gradient_check.check_double_backward(
        kl, inputs, rng.normal(size=(2, 3)),
        tuple(rng.normal(size=v.shape) for v in inputs), atol=1e-5, rtol=1e-4, eps=1e-6)


@pytest.mark.parametrize('make', [
    lambda v: D.Dirichlet(v),
    lambda v: D.Beta(v[:1], v[1:]),
    lambda v: D.Pareto(numpy.float16(1.5), v * 3.0),
], ids=['Dirichlet', 'Beta', 'Pareto'])
def test_variance_second_derivative_stays_finite_in_float16(make):
    # Chainer divides by the squared sum and then by (sum + 1); one division by their
    # product overflowed float16 in the second derivative (NaN) for parameters near 7
    # (Pareto: alpha near 20)
    v = chainer.Variable(numpy.array([6.797, 7.133], numpy.float16))
    with numpy.errstate(over='ignore', invalid='ignore'):
        g, = chainer.grad([chainer.functions.sum(make(v).variance)], [v],
                          enable_double_backprop=True)
        gg, = chainer.grad([chainer.functions.sum(g)], [v])
    assert numpy.isfinite(gg.array).all()


def test_poisson_log_prob_has_no_gradient_in_the_count():
    # Chainer takes x's array: the rate gets a gradient, the count none
    lam = chainer.Variable(numpy.array([1.5, 3.0]))
    x = chainer.Variable(numpy.array([2.0, 0.0]))
    g_lam, g_x = chainer.grad([chainer.functions.sum(D.Poisson(lam).log_prob(x))], [lam, x])
    assert g_x is None
    numpy.testing.assert_allclose(g_lam.array, x.array / lam.array - 1.0)


def test_bernoulli_nan_gradient_entries_pass_nothing_on_when_differentiated_again():
    # binary_check marks x = 0.5 invalid and an infinite logit has a NaN gradient; as in
    # Chainer, differentiating that gradient again gives those entries nothing (0)
    logit = chainer.Variable(numpy.array([0.7, -1.5, -numpy.inf]))
    x = chainer.Variable(numpy.array([0.5, 1.0, 1.0]))
    y = D.Bernoulli(logit=logit, binary_check=True).log_prob(x)
    with numpy.errstate(all='ignore'):
        g_logit, = chainer.grad([chainer.functions.sum(y)], [logit], enable_double_backprop=True)
        gg_logit, gg_x = chainer.grad(
            [chainer.functions.sum(g_logit * numpy.array([1.0, 2.0, 3.0]))], [logit, x])
    assert numpy.isnan(g_logit.array[[0, 2]]).all()
    numpy.testing.assert_array_equal(gg_x.array, [0.0, 2.0, 0.0])
    assert gg_logit.array[0] == 0.0
