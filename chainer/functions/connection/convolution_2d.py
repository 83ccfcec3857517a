"""2-dimensional convolution."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from chainer.functions.connection.convolution_nd import ConvolutionND, ConvolutionNDGradW
from chainer.utils import argument, conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['Convolution2DFunction', 'Convolution2DGradW', 'convolution_2d']

_DETERMINISTIC = ('deterministic argument is not supported anymore. Use '
                  "chainer.using_config('cudnn_deterministic', value) context where value is "
                  'either `True` or `False`.')

_REQUIRES_X_GRAD = ('requires_x_grad argument is not supported anymore: remove it. Whether '
                    "the gradient of x is computed follows x's requires_grad.")


def _parse_2d_kwargs(kwargs: dict, cudnn_fast: bool = False, node: bool = False) -> tuple:
    """Pops ``(dilate, groups)``, and ``cudnn_fast`` where the caller takes it, from
    the keyword arguments. ``deterministic`` (and, for the function nodes,
    ``requires_x_grad``) raise ``ValueError`` saying they were removed; any other
    name raises ``TypeError`` naming the function that took the arguments, as
    Chainer's message did."""
    names = (('dilate', 1), ('groups', 1)) + ((('cudnn_fast', False),) if cudnn_fast else ())
    removed = {'deterministic': _DETERMINISTIC}
    if node:
        removed['requires_x_grad'] = _REQUIRES_X_GRAD
    return argument._parse_kwargs_of(sys._getframe(1).f_code.co_name, kwargs, *names,
                                     **removed)


class Convolution2DFunction(conv_nd._Names2D, ConvolutionND):
    """:class:`~chainer.functions.connection.convolution_nd.ConvolutionND` for NCHW inputs.

    Keyword arguments: ``dilate``, ``groups`` and ``cudnn_fast`` (cuDNN's NHWC
    fast path: rechainer has no cuDNN, so ``True`` raises ``RuntimeError`` in
    ``forward``, as Chainer did wherever cuDNN was not used).
    """

    _bias_of_x_dtype = True
    cudnn_fast = False

    def __init__(self, stride=1, pad=0, cover_all: bool = False, **kwargs) -> None:
        dilate, groups, cudnn_fast = _parse_2d_kwargs(kwargs, cudnn_fast=True, node=True)
        super().__init__(2, stride, pad, cover_all, dilate, groups)
        if cudnn_fast:
            self.cudnn_fast = True

    def forward(self, inputs):
        if self.cudnn_fast:
            raise RuntimeError("'cudnn_fast' requires cuDNN, which rechainer does not use")
        return super().forward(inputs)


Convolution2DGradW = ConvolutionNDGradW


def convolution_2d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                   stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                   cover_all: bool = False, **kwargs: Any) -> Variable:
    """Two-dimensional convolution.

    Args:
        x: Input of shape ``(n, c_in, h, w)``.
        W: Filter of shape ``(c_out, c_in // groups, kh, kw)``.
        b: Bias of shape ``(c_out,)`` or None.
        stride, pad: An int or a pair ``(y, x)``.
        cover_all: Add output pixels so that every input pixel is covered.
        dilate (int or pair): Dilation of the filter (keyword only).
        groups (int): Number of channel groups (keyword only).
        cudnn_fast (bool): cuDNN's fast path (keyword only); ``True`` raises
            ``RuntimeError``, since rechainer has no cuDNN.

    Returns:
        ~chainer.Variable of shape ``(n, c_out, out_h, out_w)`` with
        ``out_h = (h + 2 * ph - ((kh - 1) * dy + 1)) // sy + 1`` (rounded up when
        ``cover_all``).  ``config.use_cudnn`` and ``config.cudnn_deterministic``
        are accepted and have no effect.
    """
    dilate, groups, cudnn_fast = _parse_2d_kwargs(kwargs, cudnn_fast=True)
    func = Convolution2DFunction(stride, pad, cover_all, dilate=dilate, groups=groups,
                                 cudnn_fast=cudnn_fast)
    y, = func.apply((x, W) if b is None else (x, W, b))
    return y
