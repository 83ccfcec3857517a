"""Extracting image patches (im2col) as a differentiable function."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.utils import conv
from chainer.utils import conv_nd
from chainer.utils.conv import col2im_cpu, col2im_gpu, im2col_cpu, im2col_gpu  # NOQA: F401
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Im2Col(function_node.FunctionNode):
    """Extracts patches of an NCHW image into the channel axis."""

    def __init__(self, ksize, stride, pad, cover_all: bool, dilate) -> None:
        self.kh, self.kw = conv_nd.as_tuple(ksize, 2)
        self.sy, self.sx = conv_nd.as_tuple(stride, 2)
        self.ph, self.pw = conv_nd.as_tuple(pad, 2)
        self.dy, self.dx = conv_nd.as_tuple(dilate, 2)
        self.cover_all = cover_all

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, ndim=4)

    def forward(self, inputs):
        x, = inputs
        im2col = conv.im2col_cpu if isinstance(x, numpy.ndarray) else conv.im2col_gpu
        y = im2col(x, self.kh, self.kw, self.sy, self.sx, self.ph, self.pw,
                   cover_all=self.cover_all, dy=self.dy, dx=self.dx)
        n, c, kh, kw, out_h, out_w = y.shape
        return y.reshape(n, c * kh * kw, out_h, out_w),

    def backward(self, indexes, grad_outputs):
        return Im2ColGrad((self.kh, self.kw), (self.sy, self.sx), (self.ph, self.pw),
                          self.cover_all, (self.dy, self.dx),
                          self.inputs[0].shape).apply(grad_outputs)


class Im2ColGrad(function_node.FunctionNode):
    """The adjoint of :class:`Im2Col` (col2im)."""

    def __init__(self, ksize, stride, pad, cover_all: bool, dilate, in_shape) -> None:
        self.kh, self.kw = ksize
        self.sy, self.sx = stride
        self.ph, self.pw = pad
        self.dy, self.dx = dilate
        self.cover_all = cover_all
        self.in_shape = tuple(in_shape)

    def forward(self, inputs):
        gy, = inputs
        n, c, h, w = self.in_shape
        _, _, out_h, out_w = gy.shape
        gy = gy.reshape(n, c, self.kh, self.kw, out_h, out_w)
        col2im = conv.col2im_cpu if isinstance(gy, numpy.ndarray) else conv.col2im_gpu
        gx = col2im(gy, self.sy, self.sx, self.ph, self.pw, h, w, self.dy, self.dx)
        return gx,

    def backward(self, indexes, grad_outputs):
        return Im2Col((self.kh, self.kw), (self.sy, self.sx), (self.ph, self.pw),
                      self.cover_all, (self.dy, self.dx)).apply(grad_outputs)


def im2col(x: VariableOrArray, ksize: int | Sequence[int], stride: int | Sequence[int] = 1,
           pad: int | Sequence[int] = 0, cover_all: bool = False,
           dilate: int | Sequence[int] = 1) -> Variable:
    """Extracts the patches of the NCHW image ``x`` into its channel axis.

    Args:
        x: Variable of shape ``(n, c, h, w)``.
        ksize, stride, pad, dilate: An int or a pair ``(y, x)``.
        cover_all: Use extra output rows/columns so that every input pixel is
            covered (as in ``convolution_2d``).

    Returns:
        ~chainer.Variable of shape ``(n, c * kh * kw, out_h, out_w)`` where
        channel ``(ch * kh + j) * kw + i`` of pixel ``(y, x)`` holds
        ``x[:, ch, y * sy + j * dy - ph, x * sx + i * dx - pw]`` (zero outside).
    """
    return Im2Col(ksize, stride, pad, cover_all, dilate).apply((x,))[0]
