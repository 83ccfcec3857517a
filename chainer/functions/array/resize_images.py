"""Resizing images by bilinear or nearest-neighbour interpolation."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.error import _IndexValueError, _ValueAssertionError
from chainer.utils.array import compute_dtype
from chainer.utils.array import scatter_add

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _source_coords(out_size: int, in_size: int, mode: str, align_corners: bool):
    """Lower source index and the weight of the next index for each output position."""
    if mode == 'bilinear':
        if align_corners:
            pos = numpy.linspace(0, in_size - 1, num=out_size, dtype=numpy.float64)
        else:
            scale = in_size / out_size
            pos = (numpy.arange(out_size, dtype=numpy.float64) + 0.5) * scale - 0.5
            pos = numpy.maximum(pos, 0)
        weight, index = numpy.modf(pos)
    else:
        scale = in_size / out_size
        index = numpy.minimum(numpy.floor(numpy.arange(out_size, dtype=numpy.float64) * scale),
                              in_size - 1)
        weight = numpy.zeros_like(index)
    return index.astype(numpy.intp), weight


def _interp_matrix(out_size: int, in_size: int, mode: str, align_corners: bool):
    """Matrix M of shape (out_size, in_size) such that resizing an axis is ``M @ axis``."""
    index, weight = _source_coords(out_size, in_size, mode, align_corners)
    upper = numpy.minimum(index + 1, in_size - 1)
    m = numpy.zeros((out_size, in_size), numpy.float64)
    rows = numpy.arange(out_size)
    scatter_add(m, (rows, index), 1 - weight)
    scatter_add(m, (rows, upper), weight)
    return m


def _separable(x, mh, mw):
    """``mh @ x @ mw.T`` over the last two axes of the NCHW array ``x``.

    Each step is one large matrix product (tensordot), which BLAS runs much
    faster than a batched ``matmul``; the cheaper order of the two is used.
    """
    xp = backend.get_array_module(x)
    dtype = compute_dtype(x.dtype)
    device = backend.get_device_from_array(x)
    mh = device.send(mh.astype(dtype))
    mw = device.send(mw.astype(dtype))
    y = x.astype(dtype, copy=False)
    (p, h), (q, w) = mh.shape, mw.shape
    if p * h * w + p * w * q <= h * w * q + p * h * q:
        y = xp.moveaxis(xp.tensordot(mh, y, axes=([1], [2])), 0, 2)
        y = xp.tensordot(y, mw, axes=([3], [1]))
    else:
        y = xp.tensordot(y, mw, axes=([3], [1]))
        y = xp.moveaxis(xp.tensordot(mh, y, axes=([1], [2])), 0, 2)
    return xp.ascontiguousarray(y.astype(x.dtype, copy=False))


class ResizeImages(function_node.FunctionNode):
    """Resizes NCHW images to ``output_shape``."""

    def __init__(self, output_shape, mode: str, align_corners: bool) -> None:
        if mode not in ('bilinear', 'nearest'):
            raise _ValueAssertionError(
                f"mode should be either 'bilinear' or 'nearest', got {mode!r}")
        if not hasattr(output_shape, '__len__') or len(output_shape) != 2:
            # Chainer read output_shape[0] and [1]: an IndexError for one length (a
            # third was ignored), a TypeError for a number
            cls = _IndexValueError if hasattr(output_shape, '__len__') else TypeError
            raise cls(f'output_shape must be a pair (out_H, out_W), got {output_shape!r}')
        self.out_H, self.out_W = (int(s) for s in output_shape)
        if self.out_H < 0 or self.out_W < 0:
            raise ValueError(f'output_shape must not be negative, got {output_shape!r}')
        self.mode = mode
        self.align_corners = align_corners

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, ndim=4)

    def forward(self, inputs):
        x, = inputs
        _, _, h, w = x.shape
        self._mh = _interp_matrix(self.out_H, h, self.mode, self.align_corners)
        self._mw = _interp_matrix(self.out_W, w, self.mode, self.align_corners)
        return _separable(x, self._mh, self._mw),

    def backward(self, indexes, grad_outputs):
        return ResizeImagesGrad(self._mh, self._mw).apply(grad_outputs)


class ResizeImagesGrad(function_node.FunctionNode):
    """The adjoint of :class:`ResizeImages` (its gradient), itself differentiable."""

    def __init__(self, mh, mw) -> None:
        self._mh = mh
        self._mw = mw

    def forward(self, inputs):
        return _separable(inputs[0], self._mh.T, self._mw.T),

    def backward(self, indexes, grad_outputs):
        return _ResizeImagesByMatrices(self._mh, self._mw).apply(grad_outputs)


class _ResizeImagesByMatrices(ResizeImages):
    """:class:`ResizeImages` with known interpolation matrices (for double backward)."""

    def __init__(self, mh, mw) -> None:
        self._mh = mh
        self._mw = mw

    @property
    def label(self):
        return 'ResizeImages'

    def check_type_forward(self, in_types):
        pass

    def forward(self, inputs):
        return _separable(inputs[0], self._mh, self._mw),


def resize_images(x: VariableOrArray, output_shape: tuple[int, int], *, mode: str = 'bilinear',
                  align_corners: bool = True) -> Variable:
    """Resizes the NCHW images ``x`` to ``output_shape = (out_H, out_W)``.

    Args:
        x: Variable of shape ``(n, c, h, w)``.
        output_shape: ``(out_H, out_W)``.
        mode: ``'bilinear'`` or ``'nearest'``.
        align_corners: For bilinear mode, map the corner pixels of the input
            onto those of the output (otherwise align pixel centres, like
            ``align_corners=False`` elsewhere). Nearest mode ignores it.
    """
    return ResizeImages(output_shape, mode, align_corners).apply((x,))[0]
