"""Rounding toward zero (not differentiable)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.math import _nondifferentiable

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def fix(x: VariableOrArray) -> Variable:
    """Elementwise rounding toward zero, as a Variable outside the graph.

    No gradient flows through it; the result keeps the dtype of ``x``.
    """
    return _nondifferentiable.apply('fix', x)
