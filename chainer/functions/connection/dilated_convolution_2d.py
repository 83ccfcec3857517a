"""Dilated 2-dimensional convolution."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.connection import convolution_2d as _conv2d

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['dilated_convolution_2d']


def dilated_convolution_2d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                           stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                           dilate: int | Sequence[int] = 1, cover_all: bool = False) -> Variable:
    """Two-dimensional convolution with a dilated filter.

    Same as ``convolution_2d(x, W, b, stride, pad, cover_all, dilate=dilate)``.
    """
    return _conv2d.convolution_2d(x, W, b, stride, pad, cover_all, dilate=dilate)
