"""Chisquare: Chainer's bits."""
from __future__ import annotations

import math

import numpy
import pytest
import scipy.special

from chainer import distributions as D


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_log_prob_bitwise_as_chainer(dtype):
    # Chainer's -lgamma(k / 2) - k / 2 * log(2) + (k / 2 - 1) * log(x) - 0.5 * x
    rng = numpy.random.RandomState(0)
    k = rng.uniform(1, 5, (3, 4)).astype(dtype)
    x = rng.uniform(0.5, 3, (3, 4)).astype(dtype)
    h = dtype(0.5) * k
    expected = (-scipy.special.gammaln(h).astype(dtype) - h * dtype(math.log(2.0))
                + (h - dtype(1)) * numpy.log(x) - dtype(0.5) * x)
    numpy.testing.assert_array_equal(D.Chisquare(k).log_prob(x).array, expected)
