"""The Distribution base class and the KL registry (``chainer.distribution``)."""
from __future__ import annotations

import copy

import numpy
import pytest

import chainer
from chainer import distribution
from chainer import distributions as D
from chainer import gradient_check


def test_exposed_at_top_level():
    assert chainer.Distribution is distribution.Distribution
    assert chainer.kl_divergence is distribution.kl_divergence
    assert chainer.register_kl is distribution.register_kl
    assert chainer.cross_entropy is distribution.cross_entropy


def test_base_raises_not_implemented():
    d = distribution.Distribution()
    for name in ('batch_shape', 'event_shape', 'params', 'covariance', 'entropy', 'mean',
                 'mode', 'variance', 'stddev', 'support'):
        with pytest.raises(NotImplementedError):
            getattr(d, name)
    for name in ('cdf', 'icdf', 'log_cdf', 'log_prob', 'log_survival_function', 'perplexity',
                 'prob', 'survival_function'):
        with pytest.raises(NotImplementedError):
            getattr(d, name)(numpy.zeros(1))
    with pytest.raises(NotImplementedError):
        d.sample_n(1)
    assert repr(d) == 'Distribution()'


class _Point(distribution.Distribution):
    """A distribution with only log_prob and cdf, for the defaults of the base class."""

    def __init__(self, loc):
        self.loc = chainer.as_variable(loc)

    @property
    def params(self):
        return {'loc': self.loc}

    def log_prob(self, x):
        return -(x - self.loc) ** 2

    def cdf(self, x):
        return chainer.functions.sigmoid(x - self.loc)


def test_defaults_from_log_prob_and_cdf():
    d = _Point(numpy.array([0.0, 1.0]))
    x = numpy.array([0.5, 0.5])
    numpy.testing.assert_allclose(d.prob(x).array, numpy.exp([-0.25, -0.25]))
    numpy.testing.assert_allclose(d.perplexity(x).array, numpy.exp([0.25, 0.25]))
    sig = 1 / (1 + numpy.exp(-numpy.array([0.5, -0.5])))
    numpy.testing.assert_allclose(d.log_cdf(x).array, numpy.log(sig))
    numpy.testing.assert_allclose(d.survival_function(x).array, 1 - sig)
    numpy.testing.assert_allclose(d.log_survival_function(x).array, numpy.log(1 - sig))
    assert repr(d) == '_Point(loc=array([0., 1.]))'


def test_repr_copy_and_sample_shapes():
    d = D.Normal(numpy.zeros((2, 3), numpy.float32), numpy.ones((2, 3), numpy.float32))
    big = D.Normal(numpy.zeros((2, 4), numpy.float32), 1.0)
    assert repr(big).startswith('Normal(loc=<ndarray shape=(2, 4) dtype=float32>, scale=')
    c = d.copy()
    assert c is not d and type(c) is D.Normal and c.loc is d.loc
    assert copy.copy(d).scale is d.scale
    assert d.sample().shape == (2, 3)
    assert d.sample(4).shape == (4, 2, 3)
    assert d.sample((4, 5)).shape == (4, 5, 2, 3)
    assert d.sample_n(0).shape == (0, 2, 3)


def test_kl_registry():
    class A(distribution.Distribution):
        pass

    class B(A):
        pass

    with pytest.raises(NotImplementedError, match='A and A'):
        chainer.kl_divergence(A(), A())
    # Chainer raised KeyError for an unregistered pair: the error is both.
    with pytest.raises(KeyError):
        chainer.kl_divergence(A(), A())
    calls = []

    @chainer.register_kl(A, A)
    def _kl(d1, d2):
        calls.append((d1, d2))
        return 0.5
    a, b = A(), B()
    assert chainer.kl_divergence(a, a) == 0.5
    assert chainer.kl_divergence(b, a) == 0.5  # a subclass uses its base's registration
    assert calls == [(a, a), (b, a)]
    distribution._KLDIVERGENCE.pop((A, A))


def test_cross_entropy():
    d1 = D.Normal(numpy.array([0.0]), numpy.array([1.0]))
    d2 = D.Normal(numpy.array([1.0]), numpy.array([2.0]))
    expected = d1.entropy.array + chainer.kl_divergence(d1, d2).array
    numpy.testing.assert_allclose(chainer.cross_entropy(d1, d2).array, expected)


def test_module_names():
    from chainer.distributions import bernoulli, gumbel, laplace, log_normal
    from chainer.distributions import multivariate_normal, normal, utils
    assert bernoulli.BernoulliLogProb and laplace.LaplaceCDF and laplace.LaplaceICDF
    assert multivariate_normal.TriangularInv and multivariate_normal.available_cpu
    assert gumbel.EULER == pytest.approx(0.5772156649015329)
    assert normal.ENTROPYC == pytest.approx(0.5 * numpy.log(2 * numpy.pi * numpy.e))
    assert normal.LOGPROBC == pytest.approx(-0.5 * numpy.log(2 * numpy.pi))
    assert normal.PROBC == pytest.approx(1 / numpy.sqrt(2 * numpy.pi))
    assert log_normal.LOGPROBC == normal.LOGPROBC
    assert multivariate_normal.ENTROPYC == normal.ENTROPYC
    assert utils.ModifiedXLogX


def test_modified_xlogx():
    from chainer.distributions.utils import _modified_xlogx
    x = chainer.Variable(numpy.array([0.0, 0.5, 2.0]))
    y = _modified_xlogx(x)
    numpy.testing.assert_allclose(y.array, [0.0, 0.5 * numpy.log(0.5), 2 * numpy.log(2.0)])
    with pytest.warns(RuntimeWarning, match='x = 0'):
        y.grad = numpy.ones(3)
        y.backward()
    numpy.testing.assert_allclose(x.grad, [0.0, 1 + numpy.log(0.5), 1 + numpy.log(2.0)])
    gradient_check.check_double_backward(
        _modified_xlogx, numpy.array([0.5, 2.0]), numpy.ones(2), numpy.ones(2))


def test_xp_is_the_array_module_of_the_parameters():
    d = D.Normal(numpy.zeros(2, numpy.float32), numpy.ones(2, numpy.float32))
    assert d.xp is numpy
    assert D.Independent(d).xp is numpy
    with pytest.raises(NotImplementedError):
        distribution.Distribution().xp
