"""Depthwise 2-dimensional convolution."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.array.reshape import reshape
from chainer.functions.array.transpose import transpose
from chainer.functions.connection import convolution_2d as _conv2d
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['depthwise_convolution_2d']


def depthwise_convolution_2d(x: VariableOrArray, W: VariableOrArray,
                             b: VariableOrArray | None = None, stride: int | Sequence[int] = 1,
                             pad: int | Sequence[int] = 0) -> Variable:
    """Depthwise convolution: every input channel has its own ``channel_multiplier`` filters.

    Args:
        x: Input of shape ``(n, c, h, w)``.
        W: Filters of shape ``(channel_multiplier, c, kh, kw)``.
        b: Bias of shape ``(channel_multiplier * c,)`` or None.
        stride, pad: An int or a pair.

    Returns:
        ~chainer.Variable of shape ``(n, c * channel_multiplier, out_h, out_w)``;
        output channel ``ic * channel_multiplier + m`` is input channel ``ic``
        filtered with ``W[m, ic]``.
    """
    # Chainer applied Convolution2DFunction to a reshaped W: its errors name that node.
    with type_check._checking('Convolution2DFunction', (x, W), ('x', 'W')) as (x_type, w_type):
        # a W of another ndim: also the ValueError of Chainer's unpacking of W.shape
        with type_check._failing_as(type_check._InvalidValue):
            type_check.expect(w_type.ndim == 4)
        type_check.expect(x_type.ndim == 4)
    mult, c, kh, kw = W.shape
    # A grouped convolution with one group per input channel.
    Wg = reshape(transpose(W, (1, 0, 2, 3)), (c * mult, 1, kh, kw))
    return _conv2d.convolution_2d(x, Wg, b, stride, pad, groups=c)
