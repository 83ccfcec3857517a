"""Categorical distributions given logits that are -inf (masked classes)."""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import distributions as D


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_entropy_with_minus_inf_logits(dtype):
    logit = chainer.Variable(numpy.array(
        [[-numpy.inf, 0, 0], [3, -30, 1], [-numpy.inf, -numpy.inf, 2]], dtype))
    entropy = D.Categorical(logit=logit).entropy
    # a masked class has p = 0 and adds 0 * log 0 = 0, as with Chainer's p form
    expected = D.Categorical(numpy.array(
        [[0, 0.5, 0.5], [0.8807971, 0, 0.1192029], [0, 0, 1]], numpy.float64)).entropy.array
    tol = 2e-3 if dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(entropy.array, expected, rtol=tol, atol=tol)
    entropy.grad = numpy.ones(3, dtype)
    entropy.backward()
    assert numpy.isfinite(logit.grad).all()
    assert (logit.grad[0] == 0).all() and (logit.grad[2] == 0).all()


def test_kl_with_minus_inf_logit_in_the_first():
    p = D.Categorical(logit=numpy.array([[-numpy.inf, 0, 0]], numpy.float32))
    q = D.Categorical(logit=numpy.array([[1, 0, 0]], numpy.float32))
    expected = 0.5 * numpy.log(0.5 / 0.2119416) * 2
    numpy.testing.assert_allclose(chainer.kl_divergence(p, q).array, [expected], rtol=1e-5)


def _chainer_log_softmax(logit):
    m = logit.max(axis=-1, keepdims=True)
    return logit - (m + numpy.log(numpy.exp(logit - m).sum(axis=-1, keepdims=True)))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_kl_and_entropy_bitwise_as_chainer(dtype):
    # Chainer's KL sum(p1 * (log p1 - log p2)) and, for logits, the entropy
    # -sum(p log p) of p = exp(log_softmax(logit))
    rng = numpy.random.RandomState(0)
    p1, p2 = (rng.uniform(0.1, 1, (3, 5)).astype(dtype) for _ in range(2))
    p1 /= p1.sum(axis=-1, keepdims=True)
    p2 /= p2.sum(axis=-1, keepdims=True)
    kl = chainer.kl_divergence(D.Categorical(p1), D.Categorical(p2))
    numpy.testing.assert_array_equal(
        kl.array, (p1 * (numpy.log(p1) - numpy.log(p2))).sum(axis=-1))
    kl = chainer.kl_divergence(D.OneHotCategorical(p1), D.OneHotCategorical(p2))
    numpy.testing.assert_array_equal(
        kl.array, (p1 * (numpy.log(p1) - numpy.log(p2))).sum(axis=-1))
    logit = rng.standard_normal((3, 5)).astype(dtype)
    p = numpy.exp(_chainer_log_softmax(logit))
    numpy.testing.assert_array_equal(D.Categorical(logit=logit).entropy.array,
                                     -(p * numpy.log(p)).sum(axis=-1))
