"""2-dimensional deconvolution (transposed convolution)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer.functions.connection.convolution_2d import _parse_2d_kwargs
from chainer.functions.connection.convolution_nd import DeconvolutionND
from chainer.utils import conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['Deconvolution2DFunction', 'deconvolution_2d']


class Deconvolution2DFunction(conv_nd._Names2D, DeconvolutionND):
    """:class:`~chainer.functions.connection.deconvolution_nd.DeconvolutionND` for NCHW
    inputs.  Keyword arguments: ``dilate`` and ``groups``."""

    _bias_of_x_dtype = True
    cover_all = None  # Chainer's 2-D node kept the argument it no longer takes

    def __init__(self, stride=1, pad=0, outsize=None, **kwargs) -> None:
        dilate, groups = _parse_2d_kwargs(kwargs, node=True)
        super().__init__(2, stride, pad, outsize, dilate, groups)


def deconvolution_2d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                     stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                     outsize: int | Sequence[int] | None = None, **kwargs: Any) -> Variable:
    """Two-dimensional deconvolution: the transpose of :func:`convolution_2d`.

    Args:
        x: Input of shape ``(n, c_in, h, w)``.
        W: Filter of shape ``(c_in, c_out // groups, kh, kw)``.
        b: Bias of shape ``(c_out,)`` or None.
        stride, pad: An int or a pair.
        outsize: ``(out_h, out_w)``; by default ``sy * (h - 1) + kh - 2 * ph`` etc.
        dilate (int or pair): Dilation of the filter (keyword only).
        groups (int): Number of channel groups (keyword only).
    """
    dilate, groups = _parse_2d_kwargs(kwargs)
    func = Deconvolution2DFunction(stride, pad, outsize, dilate=dilate, groups=groups)
    y, = func.apply((x, W) if b is None else (x, W, b))
    return y
