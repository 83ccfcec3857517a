"""LogNormal: Chainer's bits."""
from __future__ import annotations

import numpy
import pytest

from chainer import distributions as D
from chainer.distributions import log_normal


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_entropy_bitwise_as_chainer(dtype):
    # Chainer's 0.5 - LOGPROBC + log(sigma) + mu
    rng = numpy.random.RandomState(0)
    mu = rng.standard_normal((3, 4)).astype(dtype)
    sigma = rng.uniform(0.5, 2, (3, 4)).astype(dtype)
    expected = numpy.log(sigma) + dtype(0.5 - log_normal.LOGPROBC) + mu
    numpy.testing.assert_array_equal(D.LogNormal(mu, sigma).entropy.array, expected)
