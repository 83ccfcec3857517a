"""Elementwise ceiling (not differentiable)."""
from __future__ import annotations

from chainer.functions.math import _nondifferentiable


def ceil(x):
    """Elementwise ceiling, as a Variable outside the graph (no gradient flows through it).

    The result keeps the dtype of ``x``.
    """
    return _nondifferentiable.apply('ceil', x)
