"""2-dimensional upsampling with the indices of a max pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.pooling import pooling_nd
from chainer.functions.pooling.max_pooling_nd import (MaxPoolingNDGrad,
                                                      MaxPoolingNDWithIndexes)
from chainer.utils import array as array_utils
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable

__all__ = ['Upsampling2D', 'Upsampling2DGrad', 'upsampling_2d']


class Upsampling2D(conv_nd._Names2D, MaxPoolingNDGrad):
    """Puts every input pixel at the window entry a max pooling chose (zeros elsewhere)."""

    _out_name = 'in_dims'
    return_indices = False

    def __init__(self, indexes, ksize, stride=None, pad=0, outsize=None,
                 cover_all: bool = True) -> None:
        if stride is None:
            stride = ksize
        ksize = conv_nd.as_tuple(ksize, 2)
        stride = conv_nd.as_tuple(stride, 2)
        pad = conv_nd.as_tuple(pad, 2)
        # Chainer's scatter failed (ValueError) on a negative pad or stride; ours
        # computed a cropped output for a negative pad
        pooling_nd.check_window_args(ksize, stride, pad)
        if outsize is None:
            outsize = pooling_nd.unpooled_dims(indexes.shape[2:], ksize, stride, pad,
                                               cover_all, None)
        super().__init__(indexes, ksize, stride, pad, conv_nd.as_tuple(outsize, 2))
        self.cover_all = cover_all

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type = in_types[0]
        type_check.expect(x_type.dtype.kind == 'f', x_type.ndim == 4,
                          x_type.shape == self.indexes.shape)
        back = pooling_nd.pooling_out_dims(self.in_dims, self.ksize, self.stride, self.pad,
                                           self.cover_all)
        type_check.expect(x_type.shape[2] == back[0])
        type_check.expect(x_type.shape[3] == back[1])

    def forward(self, inputs):
        # Indexes from another device (a host max pooling's for a GPU input) move to
        # the input's, as Chainer's GPU kernel took them (xp.asarray); the backward
        # nodes get the moved ones.
        self.indexes = array_utils.on_device_of(self.indexes, inputs[0])
        # User indexes: an offset outside the window would be dropped on NumPy and
        # written out of its window on the GPU.
        array_utils.check_index_range(self.indexes, self.ksize[0] * self.ksize[1],
                                      'max pooling index')
        return super().forward(inputs)


Upsampling2DGrad = MaxPoolingNDWithIndexes


def upsampling_2d(x: VariableOrArray, indexes: NdArray, ksize: int | Sequence[int],
                  stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                  outsize: int | Sequence[int] | None = None, cover_all: bool = True) -> Variable:
    """Upsampling with max-pooling indices: the inverse of ``max_pooling_2d``'s selection.

    Args:
        x: Input of shape ``(n, c, h, w)``.
        indexes: The window offsets (any integer dtype) from
            ``max_pooling_2d(..., return_indices=True)`` (same shape as ``x``).
        ksize, stride, pad, cover_all: Those of the max pooling.
        outsize: ``(out_h, out_w)``; by default the unpooling size formula.
    """
    func = Upsampling2D(indexes, ksize, stride, pad, outsize, cover_all)
    y, = func.apply((x,))
    return y
