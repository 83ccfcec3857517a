"""Flattening an array to one dimension."""
from __future__ import annotations

from chainer.functions.array.reshape import reshape


def flatten(x):
    """Flattens ``x`` into a one-dimensional Variable of ``x.size`` elements."""
    return reshape(x, (x.size,))
