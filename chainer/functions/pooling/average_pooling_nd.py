"""N-dimensional average pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.functions.pooling import pooling_nd
from chainer.utils import array as array_utils
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['AveragePoolingND', 'AveragePoolingNDGrad', 'average_pooling_nd',
           'average_pooling_1d', 'average_pooling_3d']


def _divide(a, divisor):
    """``a / divisor`` in the dtype of ``a`` (``divisor``: the window size, or an array
    of per-window pixel counts)."""
    if isinstance(divisor, int):
        return a / a.dtype.type(divisor)
    return a / divisor.astype(a.dtype, copy=False)


class AveragePoolingND(pooling_nd._PoolingND):
    """Average pooling over ``ksize`` windows.

    ``pad_value=0`` averages over the whole window (padding counts as zeros);
    ``pad_value=None`` averages over the pixels inside the image only.
    """

    def __init__(self, ndim: int, ksize, stride=None, pad=0, cover_all: bool = False,
                 pad_value=0) -> None:
        if pad_value not in (0, None):
            raise ValueError('pad_value must be either 0 or None, not {}.'.format(pad_value))
        super().__init__(ndim, ksize, stride, pad, cover_all)
        self.pad_value = pad_value

    def _divisor(self, x, out_dims):
        if self.pad_value is not None:
            return array_utils.size_of_shape(self.ksize)
        xp = backend.get_array_module(x)
        ones = xp.ones((1, 1) + tuple(x.shape[2:]), dtype=x.dtype)
        return pooling_nd.window_sum(ones, self.ksize, self.stride, self.pad, out_dims)

    def forward(self, inputs):
        x, = inputs
        out_dims = self._out_dims(x)
        self._in_dims = x.shape[2:]
        self.divisor = self._divisor(x, out_dims)
        if isinstance(self.divisor, int):
            # The mean of whole windows: float16 is summed and divided in float32 and
            # rounded once, as Chainer's (NumPy's) mean does.
            y = pooling_nd.window_sum(array_utils.as_compute(x), self.ksize, self.stride,
                                      self.pad, out_dims)
            return _divide(y, self.divisor).astype(x.dtype, copy=False),
        y = pooling_nd.window_sum(x, self.ksize, self.stride, self.pad, out_dims)
        return _divide(y, self.divisor),

    def backward(self, indexes, grad_outputs):
        return AveragePoolingNDGrad(self.ksize, self.stride, self.pad, self._in_dims,
                                    self.divisor, self.cover_all, self.pad_value,
                                    nonempty=self._nonempty).apply(grad_outputs)


class AveragePoolingNDGrad(function_node.FunctionNode):
    """Spreads ``gy / divisor`` evenly over every window (the gradient of average
    pooling); a whole-window divisor divides the spread sums instead, as Chainer does."""

    def __init__(self, ksize, stride, pad, in_dims, divisor, cover_all: bool = False,
                 pad_value=0, *, nonempty: bool = True) -> None:
        self.ksize = tuple(ksize)
        self.stride = tuple(stride)
        self.pad = tuple(pad)
        self.in_dims = tuple(in_dims)
        self.divisor = divisor
        self.cover_all = cover_all
        self.pad_value = pad_value
        # whether its gradient (an average pooling) rejects an empty input, as the
        # pooling it differentiates does (not the 2-D one)
        self._nonempty = nonempty

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'gy')

    def forward(self, inputs):
        gy, = inputs
        if isinstance(self.divisor, int):
            gx = pooling_nd.window_spread(gy, self.ksize, self.stride, self.pad, self.in_dims)
            return _divide(gx, self.divisor),
        return pooling_nd.window_spread(_divide(gy, self.divisor), self.ksize, self.stride,
                                        self.pad, self.in_dims),

    def backward(self, indexes, grad_outputs):
        pool = AveragePoolingND(len(self.ksize), self.ksize, self.stride, self.pad,
                                self.cover_all, self.pad_value)
        pool._nonempty = self._nonempty
        return pool.apply(grad_outputs)


def average_pooling_nd(x: VariableOrArray, ksize: int | Sequence[int],
                       stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                       pad_value: float | None = 0) -> Variable:
    """N-dimensional average pooling.

    Args:
        x: Input of shape ``(n, c, d_1, ..., d_N)``.
        ksize: Window size (int or N-tuple).
        stride: Window step (default: ``ksize``).
        pad: Padding.
        pad_value: ``0`` averages whole windows (padding counts as zeros);
            ``None`` averages only the pixels inside the image.
    """
    func = AveragePoolingND(len(x.shape[2:]), ksize, stride, pad, False, pad_value)
    y, = func.apply((x,))
    return y


def average_pooling_1d(x: VariableOrArray, ksize: int | Sequence[int],
                       stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                       pad_value: float | None = 0) -> Variable:
    """1-dimensional average pooling (:func:`average_pooling_nd` for ``(n, c, w)``)."""
    conv_nd.check_spatial_ndim(x, 1)
    return average_pooling_nd(x, ksize, stride, pad, pad_value)


def average_pooling_3d(x: VariableOrArray, ksize: int | Sequence[int],
                       stride: int | Sequence[int] | None = None, pad: int | Sequence[int] = 0,
                       pad_value: float | None = 0) -> Variable:
    """3-dimensional average pooling (:func:`average_pooling_nd` for ``(n, c, d, h, w)``)."""
    conv_nd.check_spatial_ndim(x, 3)
    return average_pooling_nd(x, ksize, stride, pad, pad_value)
