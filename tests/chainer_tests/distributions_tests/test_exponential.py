"""Exponential KL divergences with rates far apart; Chainer's bits."""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import distributions as D


def test_kl_gradient_with_rates_far_apart_in_float16():
    lam1 = chainer.Variable(numpy.array([1e-3, 1, 1e3], numpy.float16))
    lam2 = numpy.array([1, 1, 1e-3], numpy.float16)
    kl = chainer.kl_divergence(D.Exponential(lam1), D.Exponential(lam2))
    kl.grad = numpy.ones(3, numpy.float16)
    kl.backward()
    l1, l2 = lam1.array.astype(numpy.float64), lam2.astype(numpy.float64)
    numpy.testing.assert_allclose(kl.array, numpy.log(l1 / l2) + l2 / l1 - 1, rtol=2e-3)
    # the first overflows float16 (-998000); the last was inf (1 / ratio in the gradient)
    numpy.testing.assert_allclose(lam1.grad, numpy.float16(1 / l1 - l2 / l1 ** 2), rtol=2e-3,
                                  atol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_variance_and_icdf_bitwise_as_chainer(dtype):
    # Chainer's (1 / lam) ** 2 and -1 / lam * log1p(-x)
    rng = numpy.random.RandomState(0)
    lam = rng.uniform(0.5, 2, (3, 4)).astype(dtype)
    x = rng.uniform(0.05, 0.95, (3, 4)).astype(dtype)
    d = D.Exponential(lam)
    numpy.testing.assert_array_equal(d.variance.array, (dtype(1) / lam) ** 2)
    numpy.testing.assert_array_equal(d.icdf(x).array, dtype(-1) / lam * numpy.log1p(-x))
