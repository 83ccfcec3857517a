"""CuPy's habits that rechainer's CuPy paths rely on, and the stand-in keeps.

These run on CuPy itself and on ``tests/cupy_stand_in`` alike: where the
stand-in differs from CuPy, the gpu tests it runs prove less.
"""
from __future__ import annotations

import numpy
import pytest

pytestmark = pytest.mark.gpu


def test_no_implicit_conversion_to_numpy(cupy):
    a = cupy.arange(3, dtype=numpy.float32)
    with pytest.raises(TypeError):
        numpy.asarray(a)
    with pytest.raises(TypeError):
        numpy.array([a, a])


def test_as_strided_views_a_cupy_array(cupy):
    a = cupy.arange(6, dtype=numpy.float32)
    view = cupy.lib.stride_tricks.as_strided(a, shape=(2, 3), strides=(12, 4))
    assert isinstance(view, cupy.ndarray)
    a[0] = 7
    numpy.testing.assert_array_equal(cupy.asnumpy(view), [[7, 1, 2], [3, 4, 5]])


def test_random_distributions_take_cupy_parameters(cupy):
    a = cupy.asarray([2.0, 3.0], dtype=numpy.float32)
    sample = cupy.random.beta(a, a, size=(4, 2))
    assert isinstance(sample, cupy.ndarray) and sample.shape == (4, 2)
