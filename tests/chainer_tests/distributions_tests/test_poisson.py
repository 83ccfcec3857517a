"""Poisson: Chainer's bits."""
from __future__ import annotations

import numpy
import pytest
import scipy.special

from chainer import distributions as D


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_log_prob_bitwise_as_chainer(dtype):
    # Chainer's x * log(lam) - lgamma(x + 1) - lam
    rng = numpy.random.RandomState(0)
    lam = rng.uniform(0.5, 4, (5, 7)).astype(dtype)
    x = rng.randint(0, 9, (5, 7)).astype(dtype)
    expected = x * numpy.log(lam) - scipy.special.gammaln(x + 1).astype(dtype) - lam
    numpy.testing.assert_array_equal(D.Poisson(lam).log_prob(x).array, expected)
