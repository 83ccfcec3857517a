"""Elementwise sign (not differentiable)."""
from __future__ import annotations

from chainer.functions.math import _nondifferentiable


def sign(x):
    """Elementwise sign (-1, 0 or 1), as a Variable outside the graph.

    No gradient flows through it.
    """
    return _nondifferentiable.apply('sign', x)
