"""Elementwise product with a broadcast scale."""
from __future__ import annotations

from chainer.functions.math.bias import _expanded


def scale(x, y, axis: int = 1):
    """``x * y`` with ``y`` broadcast along the axes of ``x`` starting at ``axis``.

    Args:
        x: Input Variable or array.
        y: Scale; its shape must equal ``x.shape[axis:axis + y.ndim]``.
        axis: The first axis of ``x`` along which ``y`` is applied.
    """
    return x * _expanded(x, y, axis, 'scale')
