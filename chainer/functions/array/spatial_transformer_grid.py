"""Sampling grids of spatial transformer networks."""
from __future__ import annotations

from typing import TYPE_CHECKING
import sys

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_USE_CUDNN_MESSAGE = (
    'The argument "use_cudnn" is not supported anymore. '
    "Use chainer.using_config('use_cudnn', value) context where value can be "
    '`always`, `never`, or `auto`.')


def _check_kwargs(kwargs: dict) -> None:
    """Rejects keyword arguments the way Chainer does for these functions."""
    argument._parse_kwargs_of(sys._getframe(1).f_code.co_name, kwargs,
                              use_cudnn=_USE_CUDNN_MESSAGE)


def _target_coords(xp, h: int, w: int, dtype):
    """Homogeneous target coordinates ``(x, y, 1)`` on [-1, 1]^2, shape (3, h * w)."""
    ys, xs = numpy.meshgrid(numpy.linspace(-1, 1, h), numpy.linspace(-1, 1, w),
                            indexing='ij')
    coords = numpy.stack([xs.ravel(), ys.ravel(), numpy.ones(h * w)])
    return xp.asarray(coords.astype(dtype))


class SpatialTransformerGrid(_CallableNode, function_node.FunctionNode):
    """Applies affine maps ``theta`` (B, 2, 3) to a regular grid of ``output_shape``."""

    def __init__(self, output_shape) -> None:
        self.output_shape = tuple(int(s) for s in output_shape)

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'theta', ndim=3)
        theta_type = in_types[0]
        type_check.expect(
            theta_type.shape[1] == 2,
            theta_type.shape[2] == 3,
        )

    def forward(self, inputs):
        # Chainer's SpatialTransformerGrid, an old-style Function, kept theta on the graph
        self.retain_inputs((0,))
        theta, = inputs
        xp = backend.get_array_module(theta)
        h, w = self.output_shape
        coords = _target_coords(xp, h, w, theta.dtype)
        return xp.matmul(theta, coords).reshape(len(theta), 2, h, w),

    def backward(self, indexes, grad_outputs):
        return SpatialTransformerGridGrad(self.output_shape).apply(grad_outputs)


class SpatialTransformerGridGrad(function_node.FunctionNode):
    """Gradient of :class:`SpatialTransformerGrid` with respect to ``theta``."""

    def __init__(self, output_shape: tuple) -> None:
        self.output_shape = output_shape

    def forward(self, inputs):
        ggrid, = inputs
        xp = backend.get_array_module(ggrid)
        h, w = self.output_shape
        coords = _target_coords(xp, h, w, ggrid.dtype)
        ggrid = ggrid.reshape(len(ggrid), 2, h * w)
        if xp is numpy:
            # Chainer's ndarray.dot: its bits, and faster than matmul here
            # ((32, 2, 4096) by (4096, 3): 85 us against 424)
            return ggrid.dot(coords.T),
        return xp.matmul(ggrid, coords.T),

    def backward(self, indexes, grad_outputs):
        return SpatialTransformerGrid(self.output_shape).apply(grad_outputs)


def spatial_transformer_grid(theta: VariableOrArray, output_shape: tuple[int, int],
                             **kwargs: Any) -> Variable:
    """Makes the sampling grid of a spatial transformer.

    Args:
        theta: Variable of shape ``(B, 2, 3)``: affine maps from target to
            source coordinates, both normalised to [-1, 1].
        output_shape: ``(H, W)`` of the grid.

    Returns:
        ~chainer.Variable of shape ``(B, 2, H, W)``: channel 0 holds the
        source x coordinates and channel 1 the y coordinates.

    The ``use_cudnn`` argument of old Chainer versions is rejected with a
    ``ValueError`` (use ``chainer.using_config('use_cudnn', ...)``), as in Chainer.
    """
    _check_kwargs(kwargs)
    return SpatialTransformerGrid(output_shape).apply((theta,))[0]
