"""Elementwise ceiling (not differentiable)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.math import _nondifferentiable

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def ceil(x: VariableOrArray) -> Variable:
    """Elementwise ceiling, as a Variable outside the graph (no gradient flows through it).

    The result keeps the dtype of ``x``.
    """
    return _nondifferentiable.apply('ceil', x)
