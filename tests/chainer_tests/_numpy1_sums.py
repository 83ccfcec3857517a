"""NumPy 1's float sums written out, for bitwise tests of sums over long runs.

NumPy 1 summed a contiguous run in pieces of 8192 elements: each piece pairwise
(NumPy's own sum of an array that short: float16 in float32), the pieces' sums
added in turn to 0 (float16: rounded to half after each addition). NumPy 2 sums
the whole run pairwise. Chainer 7.8.1 ran on NumPy 1.
"""
import numpy


def numpy1_row_sums(rows, start=None):
    """NumPy 1's sums of the rows of a 2-d array (``start``: the values the sums
    of the rows begin from, 0 where None)."""
    out = []
    for i, row in enumerate(rows):
        acc = row.dtype.type(0) if start is None else start[i]
        for j in range(0, len(row), 8192):
            piece = row[j:j + 8192]
            if row.dtype == numpy.float16:
                acc = numpy.float16(numpy.float32(acc) + piece.sum(dtype=numpy.float32))
            else:
                acc = acc + piece.sum()
        out.append(acc)
    return numpy.array(out, rows.dtype)


def numpy1_sum(x, axis=None, keepdims=False):
    """NumPy 1's ``x.sum(axis, keepdims=keepdims)`` of a C-contiguous array, summed
    over every axis or over the last one only."""
    x = numpy.ascontiguousarray(x)
    if axis is None:
        s = numpy1_row_sums(x.reshape(1, -1))
        return s.reshape((1,) * x.ndim) if keepdims else s[0]
    assert axis in (-1, x.ndim - 1)
    s = numpy1_row_sums(x.reshape(-1, x.shape[-1])).reshape(x.shape[:-1])
    return s[..., None] if keepdims else s


def long_values(shape, dtype, seed=0, spread=3.0):
    """Values of many magnitudes, whose long sums round differently by order."""
    rng = numpy.random.default_rng(seed)
    n = int(numpy.prod(shape))
    v = rng.standard_normal(n) * numpy.exp(rng.uniform(-spread, spread, n))
    return v.reshape(shape).astype(dtype)
