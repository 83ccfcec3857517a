"""Elementwise product with a broadcast scale."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.math.bias import _expanded

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def scale(x: VariableOrArray, y: VariableOrArray, axis: int = 1) -> Variable:
    """``x * y`` with ``y`` broadcast along the axes of ``x`` starting at ``axis``.

    Args:
        x: Input Variable or array.
        y: Scale; its shape must equal ``x.shape[axis:axis + y.ndim]``.
        axis: The first axis of ``x`` along which ``y`` is applied.
    """
    return x * _expanded(x, y, axis, 'scale')
