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


@pytest.mark.parametrize('call, cupy13', [
    (lambda cp, a: a.astype(numpy.float16) * 1e5, 'float32'),  # 1e5 needs float32
    (lambda cp, a: a * numpy.float64(2), 'float32'),  # by value, not by its type
    (lambda cp, a: cp.where(a > 0, 0, numpy.float32(-1e10)), 'float64'),  # no array to go by
    (lambda cp, a: a.astype(numpy.int8) + 1000, 'int16'),
    (lambda cp, a: a.astype(numpy.float16).clip(0, 1e5), 'float32'),
])
def test_stand_in_emulates_cupy_13_scalar_typing(cupy_stand_in, monkeypatch, call, cupy13):
    # What CuPy 13.6 itself gives for each (tests/cupy_check resolves them the same way).
    cupy = cupy_stand_in
    monkeypatch.setattr(cupy, '_CUPY13_TYPING', True)
    with pytest.raises(TypeError, match=f"CuPy 13 types .* as \\('{cupy13}',\\)"):
        call(cupy, cupy.arange(3, dtype=numpy.float32))


@pytest.mark.parametrize('call', [
    lambda cp, a: a * 2.0, lambda cp, a: a.astype(numpy.float16) * 1e-3,
    lambda cp, a: a * numpy.float32(2), lambda cp, a: cp.where(a > 0, a, 0),
    lambda cp, a: a.astype(numpy.int8) + 100, lambda cp, a: a.astype(numpy.int32) * 0.5,
])
def test_stand_in_passes_what_cupy_13_types_alike(cupy_stand_in, monkeypatch, call):
    monkeypatch.setattr(cupy_stand_in, '_CUPY13_TYPING', True)
    call(cupy_stand_in, cupy_stand_in.arange(3, dtype=numpy.float32))


def test_empty_list_indexes_as_integers(cupy):
    # An empty list (or nested empty list) is an empty integer index, as in NumPy.
    a = cupy.arange(24, dtype=numpy.float32).reshape(4, 2, 3)
    assert a[[]].shape == (0, 2, 3)
    assert a[[[]]].shape == (1, 0, 2, 3)
    assert a[:, []].shape == (4, 0, 3)
    a[[]] = 5
    assert float(a.sum()) == 276


def test_base_is_the_array_owning_the_memory(cupy):
    a = cupy.arange(12, dtype=numpy.float32)
    assert a.base is None and a.copy().base is None
    v = a[2:10]
    for view in (v, v[1:], v.reshape(2, 4), a.T, a.reshape(3, 4)[:, 1], a.view(numpy.int32)):
        assert view.base is a


def test_kernels_give_back_their_output_arguments(cupy):
    a = cupy.arange(4, dtype=numpy.float32)
    y = cupy.empty_like(a)
    kernel = cupy.ElementwiseKernel('T x', 'T y', 'y = x * 2', 'habits_twice')
    assert kernel(a, y) is y
    assert cupy.multiply(a, 2, out=y) is y
    assert cupy.asarray(a) is a
