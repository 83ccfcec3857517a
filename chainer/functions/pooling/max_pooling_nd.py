"""N-dimensional max pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.pooling import pooling_nd
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable

__all__ = ['MaxPoolingND', 'MaxPoolingNDGrad', 'MaxPoolingNDWithIndexes', 'max_pooling_nd',
           'max_pooling_1d', 'max_pooling_2d', 'max_pooling_3d']


class MaxPoolingND(pooling_nd._PoolingND):
    """Max pooling over ``ksize`` windows of an ``(n, c, *dims)`` input.

    After the forward pass ``indexes`` holds, per output pixel, the flat offset of
    the maximum inside its window.
    """

    def __init__(self, ndim: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                 cover_all: bool = True, return_indices: bool = False) -> None:
        super().__init__(ndim, ksize, stride, pad, cover_all)
        self.return_indices = return_indices

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        y, self.indexes = pooling_nd.window_max(x, self.ksize, self.stride, self.pad,
                                                self._out_dims(x))
        return y,

    def backward(self, indexes, grad_outputs):
        return MaxPoolingNDGrad(self.indexes, self.ksize, self.stride, self.pad,
                                self._in_shape[2:]).apply(grad_outputs)


class MaxPoolingNDGrad(function_node.FunctionNode):
    """Routes ``gy`` to the window entries chosen by a max pooling."""

    def __init__(self, indexes, ksize, stride, pad, in_dims) -> None:
        self.indexes = indexes
        self.ksize = tuple(ksize)
        self.stride = tuple(stride)
        self.pad = tuple(pad)
        self.in_dims = tuple(in_dims)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('gy',))
        type_check.expect(in_types[0].dtype.kind == 'f',
                          in_types[0].shape == self.indexes.shape)

    def forward(self, inputs):
        gy, = inputs
        return pooling_nd.window_scatter(gy, self.indexes, self.ksize, self.stride, self.pad,
                                         self.in_dims),

    def backward(self, indexes, grad_outputs):
        return MaxPoolingNDWithIndexes(self.indexes, self.ksize, self.stride,
                                       self.pad).apply(grad_outputs)


class MaxPoolingNDWithIndexes(function_node.FunctionNode):
    """Picks, per window, the entry at given offsets (the max pooling of another input)."""

    def __init__(self, indexes, ksize, stride, pad) -> None:
        self.indexes = indexes
        self.ksize = tuple(ksize)
        self.stride = tuple(stride)
        self.pad = tuple(pad)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].dtype.kind == 'f',
                          in_types[0].ndim == self.indexes.ndim)

    def forward(self, inputs):
        x, = inputs
        self._in_dims = x.shape[2:]
        return pooling_nd.window_gather(x, self.indexes, self.ksize, self.stride, self.pad),

    def backward(self, indexes, grad_outputs):
        return MaxPoolingNDGrad(self.indexes, self.ksize, self.stride, self.pad,
                                self._in_dims).apply(grad_outputs)


def max_pooling_nd(x: VariableOrArray, ksize: int | Sequence[int],
                   stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                   cover_all: bool = True,
                   return_indices: bool = False) -> Variable | tuple[Variable, NdArray]:
    """N-dimensional max pooling.

    Args:
        x: Input of shape ``(n, c, d_1, ..., d_N)``.
        ksize: Window size (int or N-tuple).
        stride: Window step (default: ``ksize``).
        pad: Padding (never selected as a maximum).
        cover_all: Add output pixels so that every input pixel is in a window.
        return_indices: Also return the flat offset of each maximum inside its
            window (an array of the output's shape: int64 on the CPU, int32 on the
            GPU, as Chainer gave), as taken by :func:`upsampling_2d`.
    """
    func = MaxPoolingND(len(x.shape[2:]), ksize, stride, pad, cover_all, return_indices)
    y, = func.apply((x,))
    if return_indices:
        indexes = func.indexes
        if isinstance(indexes, numpy.ndarray):
            indexes = indexes.astype(numpy.int64)  # argmax's dtype, as Chainer on the CPU
        return y, indexes
    return y


def max_pooling_1d(x: VariableOrArray, ksize: int | Sequence[int],
                   stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                   cover_all: bool = True,
                   return_indices: bool = False) -> Variable | tuple[Variable, NdArray]:
    """1-dimensional max pooling (:func:`max_pooling_nd` for ``(n, c, w)`` inputs)."""
    conv_nd.check_spatial_ndim(x, 1)
    return max_pooling_nd(x, ksize, stride, pad, cover_all, return_indices)


def max_pooling_2d(x: VariableOrArray, ksize: int | Sequence[int],
                   stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                   cover_all: bool = True,
                   return_indices: bool = False) -> Variable | tuple[Variable, NdArray]:
    """2-dimensional max pooling (:func:`max_pooling_nd` for ``(n, c, h, w)`` inputs)."""
    conv_nd.check_spatial_ndim(x, 2)
    return max_pooling_nd(x, ksize, stride, pad, cover_all, return_indices)


def max_pooling_3d(x: VariableOrArray, ksize: int | Sequence[int],
                   stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                   cover_all: bool = True,
                   return_indices: bool = False) -> Variable | tuple[Variable, NdArray]:
    """3-dimensional max pooling (:func:`max_pooling_nd` for ``(n, c, d, h, w)`` inputs)."""
    conv_nd.check_spatial_ndim(x, 3)
    return max_pooling_nd(x, ksize, stride, pad, cover_all, return_indices)
