"""The base of 2-dimensional poolings."""
from __future__ import annotations

from chainer.functions.pooling import pooling_nd
from chainer.utils import conv_nd

__all__ = ['Pooling2D']


class Pooling2D(conv_nd._Names2D, pooling_nd._PoolingND):
    """Arguments shared by 2-dimensional poolings (``ksize``, ``stride``, ``pad``,
    ``cover_all``) on NCHW inputs."""

    _nonempty = False

    def __init__(self, ksize, stride=None, pad=0, cover_all: bool = True) -> None:
        super().__init__(2, ksize, stride, pad, cover_all)
