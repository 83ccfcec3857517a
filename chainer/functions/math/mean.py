"""``mean``: the (weighted) average under NumPy's name."""
from __future__ import annotations

from chainer.functions.math.average import average


def mean(x, axis=None, weights=None, keepdims: bool = False):
    """Same as :func:`chainer.functions.average`."""
    return average(x, axis=axis, weights=weights, keepdims=keepdims)
