"""Bernoulli log-probabilities near p = 0 and p = 1 keep their precision."""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import distributions as D


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_log_prob_and_gradient_near_the_boundary(dtype):
    p = chainer.Variable(numpy.array([1e-4, 0.5, 1 - 1e-3, 1e-6], dtype))
    x = numpy.array([0, 0, 1, 0], dtype)
    y = D.Bernoulli(p).log_prob(x)
    p64 = p.array.astype(numpy.float64)
    expected = numpy.where(x == 1, numpy.log(p64), numpy.log1p(-p64))
    expected_grad = numpy.where(x == 1, 1 / p64, -1 / (1 - p64))
    tol = 2e-3 if dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(y.array, expected, rtol=tol, atol=0)
    y.grad = numpy.ones(4, dtype)
    y.backward()
    numpy.testing.assert_allclose(p.grad, expected_grad, rtol=tol)


def test_log_prob_gradient_from_a_very_negative_logit():
    logit = chainer.Variable(numpy.array([-15.0, 15.0], numpy.float32))
    y = D.Bernoulli(logit=logit).log_prob(numpy.array([0, 1], numpy.float32))
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    tail = 1 / (1 + numpy.exp(15.0))
    numpy.testing.assert_allclose(logit.grad, [-tail, tail], rtol=1e-5)


@pytest.mark.parametrize('binary_check', [False, True])
def test_prob_gradient_at_p_0_and_1(binary_check):
    # p or 1 - p as Chainer's x p + (1 - x)(1 - p): finite gradients where the logit is infinite
    p = chainer.Variable(numpy.array([0, 1, 0, 1, 0.5], numpy.float32))
    x = numpy.array([0, 1, 1, 0, 1], numpy.float32)
    y = D.Bernoulli(p, binary_check=binary_check).prob(x)
    numpy.testing.assert_array_equal(y.array, [1, 1, 0, 0, 0.5])
    y.grad = numpy.ones(5, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(p.grad, [-1, 1, 1, -1, 1])


def test_prob_with_binary_check_of_other_values():
    p = chainer.Variable(numpy.array([0.3, 0.6], numpy.float32))
    y = D.Bernoulli(p, binary_check=True).prob(numpy.array([0.5, 1], numpy.float32))
    numpy.testing.assert_allclose(y.array, [0, 0.6])
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    numpy.testing.assert_allclose(p.grad, [0, 1])  # Chainer's 0 for the masked value, not NaN


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_kl_with_p_of_0_or_1(dtype):
    p1 = numpy.array([0, 1, 0.5, 0.3, 0, 1, 1], dtype)
    p2 = numpy.array([0, 0.5, 1, 0.3, 1, 0, 1], dtype)
    kl = chainer.kl_divergence(D.Bernoulli(p1), D.Bernoulli(p2)).array
    # 0 log 0 = 0: Chainer's gave NaN for the first two (and inf for the third)
    numpy.testing.assert_allclose(kl, [0, numpy.log(2), numpy.inf, 0, numpy.inf, numpy.inf, 0],
                                  atol=1e-7)
    logit1 = chainer.Variable(numpy.array([-numpy.inf, 3.0], dtype))
    kl = chainer.kl_divergence(D.Bernoulli(logit=logit1),
                               D.Bernoulli(logit=numpy.array([2.0, 3.0], dtype)))
    numpy.testing.assert_allclose(kl.array, [numpy.log1p(numpy.exp(2.0)), 0], atol=1e-7)
    kl.grad = numpy.ones(2, dtype)
    kl.backward()
    assert numpy.isfinite(logit1.grad).all()


@pytest.mark.parametrize('logit_shape,x_shape', [((), (3,)), ((2, 1), (2, 3)), ((2, 3), (2, 3))])
def test_log_prob_node_applied_to_a_logit_that_broadcasts(logit_shape, x_shape):
    # The public node class, as Chainer's: the logit broadcasts against x and its
    # gradient is summed back to the logit's shape.
    from chainer import gradient_check
    from chainer.distributions.bernoulli import BernoulliLogProb
    logit = numpy.random.normal(size=logit_shape)
    x = numpy.random.randint(0, 2, size=x_shape).astype(numpy.float64)

    def f(logit):
        return BernoulliLogProb().apply((logit, x))[0]

    y = f(logit)
    expected = x * logit - numpy.logaddexp(0, logit)
    numpy.testing.assert_allclose(y.array, expected)
    gy = numpy.random.normal(size=x_shape)
    gradient_check.check_backward(f, logit, gy)
    gradient_check.check_double_backward(f, logit, gy, numpy.random.normal(size=logit_shape))
