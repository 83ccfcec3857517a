"""Running float16 computations in float32."""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy

from chainer.utils.array import as_compute


def _fp16_mixed_precision_helper(fn: Callable) -> Callable:
    """Decorates ``forward(self, inputs)`` to compute float16 in float32.

    float16 inputs are passed as float32.  When every floating input was
    float16, float32 outputs are cast back to float16, so the caller sees the
    dtype it gave.
    """

    @functools.wraps(fn)
    def wrapper(self, in_data):
        all_half = all(x.dtype.kind != 'f' or x.dtype == numpy.float16 for x in in_data)
        out_data = fn(self, tuple(as_compute(x) for x in in_data))
        if all_half:
            out_data = tuple(
                y.astype(numpy.float16) if y is not None and y.dtype == numpy.float32 else y
                for y in out_data)
        return out_data

    return wrapper
