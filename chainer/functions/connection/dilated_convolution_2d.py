"""Dilated 2-dimensional convolution."""
from __future__ import annotations

from typing import Any

from chainer.functions.connection import convolution_2d as _conv2d

__all__ = ['dilated_convolution_2d']


def dilated_convolution_2d(x: Any, W: Any, b: Any = None, stride=1, pad=0, dilate=1,
                           cover_all: bool = False):
    """Two-dimensional convolution with a dilated filter.

    Same as ``convolution_2d(x, W, b, stride, pad, cover_all, dilate=dilate)``.
    """
    return _conv2d.convolution_2d(x, W, b, stride, pad, cover_all, dilate=dilate)
