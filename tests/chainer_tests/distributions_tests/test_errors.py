"""Bad parameters and arguments raise clear errors."""
from __future__ import annotations

import numpy
import pytest

import chainer

from chainer import distributions as D
from tests.chainer_tests.distributions_tests import _specs


@pytest.mark.parametrize('name', sorted(n for n, s in _specs.SCALAR_SPECS.items() if s.bad))
def test_bad_parameter_value(name):
    spec = _specs.SCALAR_SPECS[name]
    params = spec.make(numpy.random.RandomState(40), (3,))
    (bad_name, bad_value), = spec.bad.items()
    params[bad_name][1] = bad_value
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match=f'{name}: {bad_name} must'):
            spec.cls(**spec.kwargs(params))
    # Outside debug mode values are taken as given, as Chainer took them (and without
    # waiting for the device): what they give is NaN or inf, not an error.
    spec.cls(**spec.kwargs(params))


@pytest.mark.parametrize('name', sorted(n for n, s in _specs.SCALAR_SPECS.items()
                                        if len(s.make(numpy.random.RandomState(0), ())) > 1))
def test_shape_mismatch(name):
    spec = _specs.SCALAR_SPECS[name]
    params = spec.make(numpy.random.RandomState(41), (3,))
    first = sorted(params)[0]
    params[first] = numpy.resize(params[first], 4)
    with pytest.raises(ValueError, match='do not broadcast'):
        spec.cls(**spec.kwargs(params))


def test_parameters_broadcast_and_scalars():
    dist = D.Normal(numpy.zeros((2, 3), numpy.float32), 2.0)
    assert dist.batch_shape == (2, 3) and dist.scale.dtype == numpy.float32
    assert D.Normal(0.0, 1.0).batch_shape == ()


def test_dtypes():
    with pytest.raises(TypeError, match='floating-point'):
        D.Normal(numpy.zeros(3, numpy.int32), numpy.ones(3, numpy.int32))
    with pytest.raises(TypeError, match='one dtype'):
        D.Normal(numpy.zeros(3, numpy.float32), numpy.ones(3, numpy.float64))


def test_other_bad_arguments():
    with pytest.raises(ValueError, match='exactly one'):
        D.Normal(numpy.zeros(3))
    with pytest.raises(ValueError, match='exactly one'):
        D.Normal(numpy.zeros(3), numpy.ones(3), log_scale=numpy.zeros(3))
    with pytest.raises(TypeError, match='unexpected'):
        D.Normal(numpy.zeros(3), numpy.ones(3), scal=1)
    with pytest.raises(ValueError, match='exactly one'):
        D.Bernoulli()
    with pytest.raises(ValueError, match='low and high or loc and scale'):
        D.Uniform(low=numpy.array([1.0]), scale=numpy.array([1.0]))
    for half in ({'low': numpy.array([0.0])}, {'high': numpy.array([1.0])},
                 {'loc': numpy.array([0.0])}, {'scale': numpy.array([1.0])}):
        with pytest.raises(ValueError, match='low and high or loc and scale'):
            D.Uniform(**half)  # half a pair: ValueError, as in Chainer
    with pytest.raises(ValueError, match='scale_tril must be given'):
        D.MultivariateNormal(numpy.zeros(3))
    with pytest.raises(ValueError, match=r'scale_tril must end in \(3, 3\)'):
        D.MultivariateNormal(numpy.zeros(3), scale_tril=numpy.eye(2))
    with pytest.raises(ValueError, match='reinterpreted_batch_ndims must lie'):
        D.Independent(D.Normal(numpy.zeros((2, 3)), numpy.ones((2, 3))), 3)
    with pytest.raises(ValueError, match='do not match the batch shape'):
        D.Categorical(numpy.full((2, 3), 1 / 3)).log_prob(numpy.zeros(4, numpy.int32))


def test_bad_parameter_values_in_debug_mode():
    bad = [
        (r'Bernoulli: p must lie in \[0, 1\]', lambda: D.Bernoulli(numpy.array([0.5, -0.1]))),
        (r'Categorical: p must lie in \[0, 1\]',
         lambda: D.Categorical(numpy.array([[0.5, 1.5]]))),
        ('OneHotCategorical: p must', lambda: D.OneHotCategorical(numpy.array([[2.0, -1.0]]))),
        ('Dirichlet: alpha must be positive', lambda: D.Dirichlet(numpy.array([[1.0, 0.0]]))),
        ('high must be greater',
         lambda: D.Uniform(low=numpy.array([1.0]), high=numpy.array([0.0]))),
        ('Uniform: scale must be positive',
         lambda: D.Uniform(loc=numpy.array([1.0]), scale=numpy.array([0.0]))),
        ('diagonal of scale_tril must be positive',
         lambda: D.MultivariateNormal(numpy.zeros(2), scale_tril=-numpy.eye(2))),
    ]
    for message, make in bad:
        with chainer.using_config('debug', True):
            with pytest.raises(ValueError, match=message):
                make()
        make()
    # As under Chainer, a scale that underflowed to 0 gives inf/NaN, not an error.
    with numpy.errstate(divide='ignore', invalid='ignore'):
        lp = D.Normal(numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float32)).log_prob(
            numpy.ones(2, numpy.float32))
    assert not numpy.isfinite(lp.array).any()


def test_repr_does_not_raise_in_debug_mode():
    # Printing a distribution whose parameters hold NaN (here computed from an
    # infinite logit) names them instead of tripping the NaN check of debug mode.
    dist = D.Categorical(logit=numpy.array([[0.0, numpy.inf]], numpy.float32))
    with chainer.using_config('debug', True), numpy.errstate(invalid='ignore'):
        text = repr(dist)
    assert text.startswith('Categorical(p=') and 'nan' in text


def test_out_of_support_log_prob():
    # -inf outside the support, as a density of 0 gives.
    cases = [
        (D.Beta(numpy.array(2.0), numpy.array(2.0)), 1.5),
        (D.Exponential(numpy.array(1.0)), -1.0),
        (D.Gamma(numpy.array(2.0), numpy.array(1.0)), -0.5),
        (D.Chisquare(numpy.array(3.0)), -0.5),
        (D.LogNormal(numpy.array(0.0), numpy.array(1.0)), -1.0),
        (D.Pareto(numpy.array(1.0), numpy.array(2.0)), 0.5),
        (D.Poisson(numpy.array(2.0)), -1.0),
        (D.Geometric(numpy.array(0.5)), 0.0),
        (D.Uniform(low=numpy.array(0.0), high=numpy.array(1.0)), 2.0),
    ]
    for dist, x in cases:
        assert dist.log_prob(numpy.array(x)).array == -numpy.inf, type(dist).__name__
    bern = D.Bernoulli(numpy.array([0.3, 0.3]), binary_check=True)
    numpy.testing.assert_array_equal(bern.log_prob(numpy.array([0.5, 1.0])).array,
                                     [-numpy.inf, numpy.log(0.3)])
    relaxed = D.Bernoulli(numpy.array([0.3]))
    numpy.testing.assert_allclose(relaxed.log_prob(numpy.array([0.5])).array,
                                  [0.5 * numpy.log(0.3) + 0.5 * numpy.log(0.7)])
    one_hot = D.OneHotCategorical(numpy.array([0.0, 1.0]))
    assert one_hot.log_prob(numpy.array([1.0, 0.0])).array == -numpy.inf
    assert one_hot.log_prob(numpy.array([0.0, 1.0])).array == 0.0


def test_bernoulli_extreme_logits():
    logit = chainer.Variable(numpy.array([numpy.inf, -numpy.inf, numpy.nan, 0.0]))
    d = D.Bernoulli(logit=logit)
    y = d.log_prob(numpy.array([1.0, 1.0, 1.0, 1.0]))
    numpy.testing.assert_array_equal(y.array[:2], [0.0, -numpy.inf])
    assert numpy.isnan(y.array[2]) and y.array[3] == pytest.approx(-numpy.log(2))
    y.grad = numpy.ones(4)
    y.backward()
    assert numpy.isnan(logit.grad[:3]).all() and logit.grad[3] == pytest.approx(0.5)


@pytest.mark.parametrize('make', [
    lambda: D.Normal(numpy.zeros(2), numpy.ones(2)),
    lambda: D.Normal(numpy.zeros(2), log_scale=numpy.zeros(2)),
    lambda: D.Pareto(numpy.ones(2), numpy.ones(2)),
    lambda: D.Uniform(low=numpy.zeros(2), high=numpy.ones(2)),
    lambda: D.Exponential(numpy.ones(2)),
])
def test_values_that_do_not_broadcast_raise_invalid_type(make):
    # as Chainer's densities raised it from their arithmetic (not NumPy's ValueError)
    dist = make()
    with pytest.raises(chainer.utils.type_check.InvalidType, match='cannot broadcast'):
        dist.log_prob(numpy.zeros(3))
    with pytest.raises(chainer.utils.type_check.InvalidType, match='cannot broadcast'):
        dist.cdf(numpy.zeros((4, 3)))


@pytest.mark.parametrize('cls', [D.Categorical, D.OneHotCategorical])
def test_sampling_probabilities_that_do_not_sum_to_one(cls):
    # Chainer's Categorical raised numpy.random.choice's ValueError, its OneHotCategorical
    # an AssertionError (numpy.testing.assert_allclose of the row's sum): the error is both
    dist = cls(numpy.array([[0.5, 0.3, 0.7]], numpy.float32))
    for expected in (ValueError, AssertionError):
        with pytest.raises(expected, match='sum to 1'):
            dist.sample(2)
