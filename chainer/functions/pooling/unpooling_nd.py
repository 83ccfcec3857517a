"""N-dimensional unpooling: every input pixel is copied into its whole window."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.pooling import pooling_nd
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['UnpoolingND', 'UnpoolingNDGrad', 'unpooling_nd', 'unpooling_1d', 'unpooling_3d']


class UnpoolingND(pooling_nd._PoolingND):
    """The inverse of pooling by repetition: overlapping windows add up."""

    def __init__(self, ndim: int, ksize, stride=None, pad=0, outsize=None,
                 cover_all: bool = True) -> None:
        super().__init__(ndim, ksize, stride, pad, cover_all)
        if outsize is not None and hasattr(outsize, '__len__') and len(outsize) != ndim:
            raise type_check._InvalidLength(f'outsize of {ndim} lengths',
                                            f'outsize == {type_check._repr(tuple(outsize))}')
        self.outs = None if outsize is None else conv_nd.as_tuple(outsize, ndim)

    # Chainer's 2-D check compares the input's length along each axis in turn
    _outsize_per_axis = False
    # Chainer's 2-D gradient sums whole tiles (stride == ksize, no padding) with one
    # NumPy reduction over both window axes (see UnpoolingNDGrad)
    _tile_sum = False

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type = in_types[0]
        type_check.expect(x_type.dtype.kind == 'f', x_type.ndim == 2 + self.ndim)
        if self.outs is not None:
            back = pooling_nd.pooling_out_dims(self.outs, self.ksize, self.stride, self.pad,
                                               self.cover_all)
            if self._outsize_per_axis:
                for i in range(self.ndim):
                    type_check.expect(x_type.shape[2 + i] == back[i])
            else:
                type_check.expect(x_type.shape[2:] == back)

    def forward(self, inputs):
        x, = inputs
        out_dims = pooling_nd.unpooled_dims(x.shape[2:], self.ksize, self.stride, self.pad,
                                            self.cover_all, self.outs)
        self.outs = tuple(out_dims)  # the size used, where outsize left it open
        return pooling_nd.window_spread(x, self.ksize, self.stride, self.pad, out_dims),

    def backward(self, indexes, grad_outputs):
        return UnpoolingNDGrad(self.ksize, self.stride, self.pad, self.inputs[0].shape[2:],
                               self.cover_all, tile_sum=self._tile_sum).apply(grad_outputs)


class UnpoolingNDGrad(function_node.FunctionNode):
    """The gradient of :class:`UnpoolingND`: the sum over every window (with
    ``tile_sum``, of an unpooling that takes Chainer's 2-D order)."""

    def __init__(self, ksize, stride, pad, in_dims, cover_all: bool = True, *,
                 tile_sum: bool = False) -> None:
        self.ksize = tuple(ksize)
        self.stride = tuple(stride)
        self.pad = tuple(pad)
        self.in_dims = tuple(in_dims)
        self.cover_all = cover_all
        self._tile_sum = tile_sum

    def forward(self, inputs):
        gy, = inputs
        if (self._tile_sum and isinstance(gy, numpy.ndarray) and self.stride == self.ksize
                and not any(self.pad)
                and gy.shape[2:] == tuple(k * d for k, d in zip(self.ksize, self.in_dims))):
            # Chainer's order on NumPy: both window axes in one reduction (each row of
            # a window first, then the rows), not the window's elements one by one
            (kh, kw), (h, w) = self.ksize, self.in_dims
            tiles = gy.reshape(gy.shape[:2] + (h, kh, w, kw)).transpose(0, 1, 2, 4, 3, 5)
            return tiles.sum((4, 5)),
        return pooling_nd.window_sum(gy, self.ksize, self.stride, self.pad, self.in_dims),

    def backward(self, indexes, grad_outputs):
        outsize = self.inputs[0].shape[2:]
        node = UnpoolingND(len(self.ksize), self.ksize, self.stride, self.pad, outsize,
                           self.cover_all)
        node._tile_sum = self._tile_sum
        return node.apply(grad_outputs)


def unpooling_nd(x: VariableOrArray, ksize: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                 outsize: int | Sequence[int] | None = None, cover_all: bool = True) -> Variable:
    """N-dimensional unpooling: each input pixel fills its ``ksize`` window of the output.

    Args:
        x: Input of shape ``(n, c, d_1, ..., d_N)``.
        ksize: Window size; ``stride`` defaults to it.
        pad: Padding cropped from the output.
        outsize: Spatial output size; by default the deconvolution size formula
            (with ``cover_all``).
    """
    func = UnpoolingND(len(x.shape[2:]), ksize, stride, pad, outsize, cover_all)
    y, = func.apply((x,))
    return y


def unpooling_1d(x: VariableOrArray, ksize: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                 outsize: int | Sequence[int] | None = None, cover_all: bool = True) -> Variable:
    """1-dimensional unpooling (:func:`unpooling_nd` for ``(n, c, w)``)."""
    conv_nd.check_spatial_ndim(x, 1)
    return unpooling_nd(x, ksize, stride, pad, outsize, cover_all)


def unpooling_3d(x: VariableOrArray, ksize: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                 outsize: int | Sequence[int] | None = None, cover_all: bool = True) -> Variable:
    """3-dimensional unpooling (:func:`unpooling_nd` for ``(n, c, d, h, w)``)."""
    conv_nd.check_spatial_ndim(x, 3)
    return unpooling_nd(x, ksize, stride, pad, outsize, cover_all)
