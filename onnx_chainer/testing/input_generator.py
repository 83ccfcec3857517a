"""Deterministic test inputs (ranges reshaped), so failures are reproducible."""
from __future__ import annotations

import numpy

__all__ = ['increasing', 'nonzero_increasing', 'positive_increasing', 'shaped_range']


def shaped_range(*shape, dtype=numpy.float32):
    """``0, 1, 2, ...`` reshaped to ``shape``."""
    size = int(numpy.prod(shape)) if shape else 1
    return numpy.arange(size).reshape(shape).astype(dtype)


def increasing(*shape, dtype=numpy.float32):
    """Evenly spaced values from -1 to 1 (inclusive) in ``shape``."""
    size = int(numpy.prod(shape)) if shape else 1
    if size == 1:
        return numpy.zeros(shape, dtype=dtype)
    return numpy.linspace(-1.0, 1.0, size).reshape(shape).astype(dtype)


def nonzero_increasing(*shape, dtype=numpy.float32, bias=1e-7):
    """Like :func:`increasing`, with zeros moved to ``bias``."""
    x = increasing(*shape, dtype=dtype)
    x[x == 0] = dtype(bias) if isinstance(dtype, type) else numpy.dtype(dtype).type(bias)
    return x


def positive_increasing(*shape, dtype=numpy.float32, bias=1e-7):
    """Evenly spaced values from ``bias`` to 1 (inclusive) in ``shape``."""
    size = int(numpy.prod(shape)) if shape else 1
    return numpy.linspace(bias, 1.0, size).reshape(shape).astype(dtype)
