"""Elementwise sign (not differentiable)."""
from __future__ import annotations

import numpy

from chainer.functions.math import _nondifferentiable


def sign(x):
    """Elementwise sign (-1, 0 or 1), as a Variable outside the graph.

    No gradient flows through it. A Python int or float is taken as a 0-d array, as
    Chainer's ``sign`` took it.
    """
    if type(x) in (int, float):
        x = numpy.asarray(x)
    return _nondifferentiable.apply('sign', x)
