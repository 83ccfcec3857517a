"""2-dimensional average pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.pooling.average_pooling_nd import AveragePoolingND, AveragePoolingNDGrad
from chainer.utils import conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['AveragePooling2D', 'AveragePooling2DGrad', 'average_pooling_2d']


class AveragePooling2D(conv_nd._Names2D, AveragePoolingND):
    """Average pooling over 2-D windows (padding counts as zeros); unlike the N-d
    poolings, an empty input is accepted, as in Chainer."""

    _nonempty = False

    def __init__(self, ksize, stride=None, pad=0, cover_all: bool = False) -> None:
        super().__init__(2, ksize, stride, pad, cover_all)


AveragePooling2DGrad = AveragePoolingNDGrad


def average_pooling_2d(x: VariableOrArray, ksize: int | Sequence[int],
                       stride: int | Sequence[int] | None = None,
                       pad: int | Sequence[int] = 0) -> Variable:
    """2-dimensional average pooling: the mean of every ``ksize`` window of ``(n, c, h, w)``
    ``x``; padded pixels count as zeros (the divisor is always ``kh * kw``)."""
    y, = AveragePooling2D(ksize, stride, pad, False).apply((x,))
    return y
