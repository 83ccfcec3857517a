"""Rounding toward zero (not differentiable)."""
from __future__ import annotations

from chainer.functions.math import _nondifferentiable


def fix(x):
    """Elementwise rounding toward zero, as a Variable outside the graph.

    No gradient flows through it; the result keeps the dtype of ``x``.
    """
    return _nondifferentiable.apply('fix', x)
