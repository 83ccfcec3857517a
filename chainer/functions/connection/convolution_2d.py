"""2-dimensional convolution."""
from __future__ import annotations

import sys
from typing import Any

from chainer.functions.connection.convolution_nd import ConvolutionND, ConvolutionNDGradW
from chainer.utils import argument

__all__ = ['Convolution2DFunction', 'Convolution2DGradW', 'convolution_2d']

_DETERMINISTIC = ('deterministic argument is not supported anymore. Use '
                  "chainer.using_config('cudnn_deterministic', value) context where value is "
                  'either `True` or `False`.')


def _parse_2d_kwargs(kwargs: dict) -> tuple:
    """Pops ``(dilate, groups)`` from the keyword arguments; ``cudnn_fast`` (a cuDNN
    layout hint) is accepted and has no effect. Any other name raises ``TypeError``
    naming the function that took the arguments, as Chainer's message did."""
    dilate, groups, _ = argument._parse_kwargs_of(
        sys._getframe(1).f_code.co_name, kwargs, ('dilate', 1), ('groups', 1),
        ('cudnn_fast', False), deterministic=_DETERMINISTIC)
    return dilate, groups


class Convolution2DFunction(ConvolutionND):
    """:class:`~chainer.functions.connection.convolution_nd.ConvolutionND` for NCHW inputs.

    Keyword arguments: ``dilate`` and ``groups``.
    """

    _bias_of_x_dtype = True

    def __init__(self, stride=1, pad=0, cover_all: bool = False, **kwargs) -> None:
        dilate, groups = _parse_2d_kwargs(kwargs)
        super().__init__(2, stride, pad, cover_all, dilate, groups)


Convolution2DGradW = ConvolutionNDGradW


def convolution_2d(x: Any, W: Any, b: Any = None, stride=1, pad=0, cover_all: bool = False,
                   **kwargs):
    """Two-dimensional convolution.

    Args:
        x: Input of shape ``(n, c_in, h, w)``.
        W: Filter of shape ``(c_out, c_in // groups, kh, kw)``.
        b: Bias of shape ``(c_out,)`` or None.
        stride, pad: An int or a pair ``(y, x)``.
        cover_all: Add output pixels so that every input pixel is covered.
        dilate (int or pair): Dilation of the filter (keyword only).
        groups (int): Number of channel groups (keyword only).
        cudnn_fast (bool): Accepted for compatibility; no effect (keyword only).

    Returns:
        ~chainer.Variable of shape ``(n, c_out, out_h, out_w)`` with
        ``out_h = (h + 2 * ph - ((kh - 1) * dy + 1)) // sy + 1`` (rounded up when
        ``cover_all``).  ``config.use_cudnn`` and ``config.cudnn_deterministic``
        are accepted and have no effect.
    """
    dilate, groups = _parse_2d_kwargs(kwargs)
    func = Convolution2DFunction(stride, pad, cover_all, dilate=dilate, groups=groups)
    y, = func.apply((x, W) if b is None else (x, W, b))
    return y
