"""Laplace: Chainer's bits."""
from __future__ import annotations

import numpy
import pytest

from chainer import distributions as D


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_prob_bitwise_as_chainer(dtype):
    # Chainer's 0.5 / scale * exp(-abs(x - loc) / scale)
    rng = numpy.random.RandomState(0)
    loc, x = (rng.standard_normal((3, 4)).astype(dtype) for _ in range(2))
    scale = rng.uniform(0.5, 2, (3, 4)).astype(dtype)
    expected = dtype(0.5) / scale * numpy.exp(-abs(x - loc) / scale)
    numpy.testing.assert_array_equal(D.Laplace(loc, scale).prob(x).array, expected)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_log_prob_and_entropy_bitwise_as_chainer(dtype):
    # Chainer's -log(2 scale) - |x - loc| / scale and 1 + log(2 scale)
    rng = numpy.random.RandomState(1)
    loc, x = (rng.standard_normal((5, 7)).astype(dtype) for _ in range(2))
    scale = rng.uniform(0.5, 2, (5, 7)).astype(dtype)
    d = D.Laplace(loc, scale)
    numpy.testing.assert_array_equal(
        d.log_prob(x).array, -numpy.log(dtype(2) * scale) - abs(x - loc) / scale)
    numpy.testing.assert_array_equal(d.entropy.array, dtype(1) + numpy.log(dtype(2) * scale))
