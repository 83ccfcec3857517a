"""What the bit-for-bit comparisons with Chainer's formulas share: seeded inputs
and a first derivative."""
import numpy

import chainer


def inputs(seed: int, low: float, high: float, shape=(4, 5), dtype=numpy.float32):
    """``(x, gy)``: ``x`` uniform in ``[low, high)``, ``gy`` in ``[-1, 1)``."""
    rng = numpy.random.RandomState(seed)
    return (rng.uniform(low, high, shape).astype(dtype),
            rng.uniform(-1, 1, shape).astype(dtype))


def first_derivative(f, x, gy):
    """``(y, gx)`` as arrays: ``f(x)`` and its gradient for the output gradient ``gy``."""
    xv = chainer.Variable(x)
    y = f(xv)
    gx, = chainer.grad([y], [xv], [chainer.Variable(gy)])
    return y.array, gx.array
