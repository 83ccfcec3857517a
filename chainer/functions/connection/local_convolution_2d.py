"""Locally connected 2-D layer: a convolution whose filter differs at every output pixel."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.array.im2col import im2col
from chainer.functions.array.reshape import reshape
from chainer.functions.array.transpose import transpose
from chainer.functions.math.matmul import matmul
from chainer.utils import conv
from chainer.utils import conv_nd
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError
from chainer.functions import _composite

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['LocalConvolution2DFunction', 'local_convolution_2d']


def _check(x, W, b, stride) -> None:
    arrays = (x, W) if b is None else (x, W, b)
    with type_check._checking('LocalConvolution2DFunction', arrays,
                              ('x', 'W', 'b')[:len(arrays)]) as types:
        # Chainer's checks, in its order.
        x_type, w_type = types[:2]
        type_check.expect(
            x_type.dtype.kind == 'f',
            w_type.dtype.kind == 'f',
            x_type.ndim == 4,
            w_type.ndim == 6,
            x_type.shape[1] == w_type.shape[3],
        )
        if b is not None:
            b_type = types[2]
            type_check.expect(
                b_type.dtype == x_type.dtype,
                b_type.ndim == 3,
                b_type.shape == w_type.shape[:3],
            )
        out = tuple(conv.get_conv_outsize(x.shape[2 + i], W.shape[4 + i], stride[i], 0)
                    for i in range(2))
        if out != tuple(W.shape[1:3]):
            # also the ValueError of the reshape where Chainer failed (or it sized its
            # output from W and read misplaced windows)
            raise type_check._InvalidValue(f'W.shape[1:3] == output size {out}',
                                           f'W.shape[1:3] == {W.shape[1:3]}')


def local_convolution_2d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                         stride: int | Sequence[int] = 1) -> Variable:
    """Locally connected convolution (no weight sharing across output pixels).

    Args:
        x: Input of shape ``(n, c, h, w)``.
        W: Weights of shape ``(c_out, out_h, out_w, c, kh, kw)``: one filter per
            output pixel, with ``out_h = (h - kh) // sy + 1`` (no padding).
        b: Bias of shape ``(c_out, out_h, out_w)`` or None.
        stride: Int or pair.

    Returns:
        ~chainer.Variable of shape ``(n, c_out, out_h, out_w)``.
    """
    # One node, as in Chainer: the graph keeps x, W and b, not the im2col columns
    # of the composition (which its backward pass recomputes). The node checks
    # the stride and the inputs.
    inputs = (x, W) if b is None else (x, W, b)
    return LocalConvolution2DFunction(stride).apply(inputs)[0]


def _checked_stride(stride):
    stride = conv_nd.as_tuple(stride, 2)
    if any(s <= 0 for s in stride):
        raise _ValueAssertionError(f'stride must be positive, got {stride}')
    return stride


def _compose(x, W, b, stride):
    """:func:`local_convolution_2d` composed of differentiable functions."""
    n, c = x.shape[:2]
    out_c, oh, ow, _, kh, kw = W.shape
    pixels = oh * ow
    cols = im2col(x, (kh, kw), stride)                                 # (n, c*kh*kw, oh, ow)
    cols = transpose(reshape(cols, (n, c * kh * kw, pixels)), (2, 0, 1))   # (P, n, ck)
    Wm = transpose(reshape(W, (out_c, pixels, c * kh * kw)), (1, 2, 0))  # (P, ck, out)
    y = matmul(cols, Wm)                                                 # (P, n, out)
    y = reshape(transpose(y, (1, 2, 0)), (n, out_c, oh, ow))
    if y.dtype != x.dtype:
        y = cast(y, x.dtype)  # the output takes x's dtype, as in Chainer
    if b is not None:
        y = y + broadcast_to(b, y.shape)
    return y


class LocalConvolution2DFunction(_composite.CompositeNode):
    """The node of :func:`local_convolution_2d`: inputs ``(x, W)`` or ``(x, W, b)``."""

    _n_inputs = (2, 3)

    def __init__(self, stride=1) -> None:
        self.stride = stride

    def _compose(self, x, W, b=None):
        stride = _checked_stride(self.stride)
        _check(x, W, b, stride)
        return _compose(x, W, b, stride)
