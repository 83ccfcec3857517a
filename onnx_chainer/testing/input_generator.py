"""Deterministic test inputs (ranges reshaped), so failures are reproducible.

As Chainer's, only float32 and float64 count as floating point here: other
dtypes get integer steps (``increasing``) or are refused.
"""
from __future__ import annotations

import numpy

from chainer.utils.error import _ValueAssertionError

__all__ = ['increasing', 'nonzero_increasing', 'positive_increasing', 'shaped_range']

_FLOATS = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))


def _size(shape: tuple) -> int:
    return int(numpy.prod(shape)) if shape else 1


def shaped_range(*shape, dtype=numpy.float32):
    """``0, 1, 2, ...`` reshaped to ``shape``, in ``dtype`` (Chainer's ignored it)."""
    return numpy.arange(_size(shape)).reshape(shape).astype(dtype)


def _steps(shape: tuple, dtype, start: int, bias: float = 0.0):
    """``start, start + 1, ...`` (halved and plus ``bias`` for float32/float64)."""
    x = (numpy.arange(_size(shape)) + start).reshape(shape)
    if numpy.dtype(dtype) in _FLOATS:
        return (x * 0.5 + bias).astype(dtype)
    return x.astype(dtype)


def increasing(*shape, dtype=numpy.float32):
    """``shape`` filled with steps of 0.5 (1 for other dtypes than float32/float64),
    0 at the middle element."""
    return _steps(shape, dtype, -(_size(shape) // 2))


def nonzero_increasing(*shape, dtype=numpy.float32, bias=1e-7):
    """:func:`increasing` plus ``bias``, so that no element is 0 (float32/float64)."""
    if numpy.dtype(dtype) not in _FLOATS:
        raise _ValueAssertionError(f'nonzero_increasing makes float32 or float64 arrays, '
                                   f'not {numpy.dtype(dtype)}')
    return _steps(shape, dtype, -(_size(shape) // 2), bias)


def positive_increasing(*shape, dtype=numpy.float32, bias=1e-7):
    """``bias``, ``bias + 0.5``, ... reshaped to ``shape`` (float32/float64)."""
    if numpy.dtype(dtype) not in _FLOATS:
        raise TypeError(f'positive_increasing makes float32 or float64 arrays, not '
                        f'{numpy.dtype(dtype)}')
    return _steps(shape, dtype, 0, bias)
