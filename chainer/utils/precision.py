"""Running float16 computations in float32."""
from __future__ import annotations

import functools
from collections.abc import Callable

import numpy


def _fp16_mixed_precision_helper(fn: Callable) -> Callable:
    """Decorates ``forward(self, inputs)`` to compute float16 in float32.

    float16 inputs are passed as float32.  When every floating input was
    float16, float32 outputs are cast back to float16, so the caller sees the
    dtype it gave.
    """

    @functools.wraps(fn)
    def wrapper(self, in_data):
        all_half = all(x.dtype.kind != 'f' or x.dtype == numpy.float16 for x in in_data)
        widened = tuple(x.astype(numpy.float32) if x.dtype == numpy.float16 else x
                        for x in in_data)
        out_data = fn(self, widened)
        if all_half:
            out_data = tuple(
                y.astype(numpy.float16) if y is not None and y.dtype == numpy.float32 else y
                for y in out_data)
        return out_data

    return wrapper
