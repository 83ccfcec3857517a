"""2-dimensional unpooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.pooling.unpooling_nd import UnpoolingND, UnpoolingNDGrad
from chainer.utils import conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['Unpooling2D', 'Unpooling2DGrad', 'unpooling_2d']


class Unpooling2D(conv_nd._Names2D, UnpoolingND):
    """:class:`~chainer.functions.pooling.unpooling_nd.UnpoolingND` for NCHW inputs."""

    _outsize_per_axis = True
    _tile_sum = True

    def __init__(self, ksize, stride=None, pad=0, outsize=None, cover_all: bool = True) -> None:
        super().__init__(2, ksize, stride, pad, outsize, cover_all)


Unpooling2DGrad = UnpoolingNDGrad


def unpooling_2d(x: VariableOrArray, ksize: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                 outsize: int | Sequence[int] | None = None, cover_all: bool = True) -> Variable:
    """2-dimensional unpooling: each pixel of ``(n, c, h, w)`` ``x`` fills its window."""
    y, = Unpooling2D(ksize, stride, pad, outsize, cover_all).apply((x,))
    return y
