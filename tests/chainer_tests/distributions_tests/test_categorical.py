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
