"""2-dimensional deconvolution (transposed convolution)."""
from __future__ import annotations

from typing import Any

from chainer.functions.connection.convolution_2d import _parse_2d_kwargs
from chainer.functions.connection.convolution_nd import DeconvolutionND

__all__ = ['Deconvolution2DFunction', 'deconvolution_2d']


class Deconvolution2DFunction(DeconvolutionND):
    """:class:`~chainer.functions.connection.deconvolution_nd.DeconvolutionND` for NCHW
    inputs.  Keyword arguments: ``dilate`` and ``groups``."""

    _bias_of_x_dtype = True

    def __init__(self, stride=1, pad=0, outsize=None, **kwargs) -> None:
        dilate, groups = _parse_2d_kwargs(kwargs, node=True)
        super().__init__(2, stride, pad, outsize, dilate, groups)


def deconvolution_2d(x: Any, W: Any, b: Any = None, stride=1, pad=0, outsize=None, **kwargs):
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
