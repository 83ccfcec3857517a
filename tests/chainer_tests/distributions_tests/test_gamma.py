"""Gamma: Chainer's bits."""
from __future__ import annotations

import numpy
import pytest

from chainer import distributions as D


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_variance_bitwise_as_chainer(dtype):
    # Chainer's mean * theta, the mean k * theta
    rng = numpy.random.RandomState(0)
    k, theta = (rng.uniform(0.5, 3, (3, 4)).astype(dtype) for _ in range(2))
    numpy.testing.assert_array_equal(D.Gamma(k, theta).variance.array, k * theta * theta)
