"""Locally connected 2-D layer: a convolution whose filter differs at every output pixel."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.array.im2col import im2col
from chainer.functions.array.reshape import reshape
from chainer.functions.array.transpose import transpose
from chainer.functions.math.matmul import matmul
from chainer.functions.math.sum import sum as F_sum
from chainer.utils import conv
from chainer.utils import conv_nd
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError
from chainer.utils.error import _none_input_error

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['LocalConvolution2DFunction', 'local_convolution_2d']


def _check(in_types, stride) -> None:
    # Chainer's checks, in its order.
    x_type, w_type = in_types[:2]
    type_check.expect(
        x_type.dtype.kind == 'f',
        w_type.dtype.kind == 'f',
        x_type.ndim == 4,
        w_type.ndim == 6,
        x_type.shape[1] == w_type.shape[3],
    )
    if type_check.eval(in_types.size()) == 3:
        b_type = in_types[2]
        type_check.expect(
            b_type.dtype == x_type.dtype,
            b_type.ndim == 3,
            b_type.shape == w_type.shape[:3],
        )
    x_shape = type_check.eval(x_type.shape)
    w_shape = type_check.eval(w_type.shape)
    out = tuple(conv.get_conv_outsize(x_shape[2 + i], w_shape[4 + i], stride[i], 0)
                for i in range(2))
    if out != tuple(w_shape[1:3]):
        # also the ValueError of the reshape where Chainer failed (or it sized its
        # output from W and read misplaced windows)
        raise type_check._InvalidValue(f'W.shape[1:3] == output size {out}',
                                       f'W.shape[1:3] == {tuple(w_shape[1:3])}')


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
    if x is None or W is None:  # Chainer's error, naming the input
        raise _none_input_error(f"{'x' if x is None else 'W'} of LocalConvolution2DFunction")
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


def _columns(x, W, stride):
    """The patches of ``x`` under each output pixel: (P, n, c * kh * kw)."""
    n, c = x.shape[:2]
    out_c, oh, ow, _, kh, kw = W.shape
    im2col = conv.im2col_cpu if isinstance(x, numpy.ndarray) else conv.im2col_gpu
    cols = im2col(x, kh, kw, stride[0], stride[1], 0, 0)
    return cols.reshape(n, c * kh * kw, oh * ow).transpose(2, 0, 1)


def _filters(W):
    """The filters of each output pixel as matrices: (P, c * kh * kw, c_out)."""
    out_c, oh, ow = W.shape[:3]
    return W.reshape(out_c, oh * ow, -1).transpose(1, 2, 0)


class LocalConvolution2DFunction(function_node.FunctionNode):
    """The node of :func:`local_convolution_2d`: inputs ``(x, W)`` or ``(x, W, b)``.

    Its forward multiplies each output pixel's patches by that pixel's filters
    (the arithmetic of :func:`_compose`); its gradient is one
    :class:`_LocalConvolution2DGrad` node.
    """

    def __init__(self, stride=1) -> None:
        self.stride = stride

    def check_type_forward(self, in_types):
        type_check.expect(2 <= in_types.size(), in_types.size() <= 3)
        _check(in_types, _checked_stride(self.stride))

    def forward(self, inputs):
        x, W = inputs[:2]
        self._stride = stride = _checked_stride(self.stride)
        self.retain_inputs((0, 1))
        xp = backend.get_array_module(x)
        out_c, oh, ow = W.shape[:3]
        y = xp.matmul(_columns(x, W, stride), _filters(W))        # (P, n, out)
        y = y.transpose(1, 2, 0).reshape(len(x), out_c, oh, ow).astype(x.dtype, copy=False)
        if len(inputs) == 3:
            y = y + inputs[2]
        return y,

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        grads = _LocalConvolution2DGrad(self._stride).apply((x, W, gy))
        if 2 in indexes:
            grads = grads + (F_sum(gy, axis=0),)
        return tuple(grads[i] for i in indexes)


class _LocalConvolution2DGrad(_composite.CompositeNode):
    """Gradients ``(gx, gW)`` of :class:`LocalConvolution2DFunction`: inputs
    ``(x, W, gy)``. Its own gradient differentiates :func:`_compose`."""

    def __init__(self, stride) -> None:
        self.stride = stride

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, W, gy = inputs
        xp = backend.get_array_module(x)
        n, c, h, w = x.shape
        out_c, oh, ow, _, kh, kw = W.shape
        gy_p = gy.reshape(n, out_c, oh * ow).transpose(2, 0, 1)     # (P, n, out)
        gcols = xp.matmul(gy_p, _filters(W).swapaxes(-1, -2))       # (P, n, ck)
        gcols = gcols.transpose(1, 2, 0).reshape(n, c, kh, kw, oh, ow)
        # Summed into each pixel in the order of the output positions (Chainer's,
        # window by window): kernel offsets from the last, which col2im takes first
        sy, sx = self.stride
        gx = xp.zeros((n, c, h, w), gcols.dtype)
        for ky in reversed(range(kh)):
            for kx in reversed(range(kw)):
                gx[:, :, ky:ky + sy * (oh - 1) + 1:sy, kx:kx + sx * (ow - 1) + 1:sx] += \
                    gcols[:, :, ky, kx]
        gw = xp.matmul(_columns(x, W, self.stride).swapaxes(-1, -2), gy_p)  # (P, ck, out)
        gw = gw.transpose(2, 0, 1).reshape(W.shape)
        return gx.astype(x.dtype, copy=False), gw.astype(W.dtype, copy=False)

    def _compose(self, x, W, gy):
        # (the module's _compose: the function itself, composed)
        return tuple(chainer.grad([_compose(x, W, None, self.stride)], [x, W], [gy],
                                  enable_double_backprop=True))
