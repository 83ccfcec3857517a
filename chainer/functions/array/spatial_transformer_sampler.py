"""Bilinear sampling of images at grid points (spatial transformer networks)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.function import _CallableNode
from chainer.functions import _composite
from chainer.functions.array.get_item import get_item
from chainer.functions.array.pad import pad
from chainer.functions.array.reshape import reshape
from chainer.functions.array.spatial_transformer_grid import _check_kwargs
from chainer.functions.array.transpose import transpose
from chainer.functions.array.where import where
from chainer.utils import type_check

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class _SamplerInputs(function_node.FunctionNode):
    """Checks the inputs of the sampler and passes them through unchanged."""

    @property
    def label(self):
        return 'SpatialTransformerSampler'

    def check_type_forward(self, in_types):
        type_check.expect(2 == in_types.size())
        x_type, grid_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            grid_type.dtype == x_type.dtype,
            x_type.ndim == 4,
            grid_type.ndim == 4,
        )
        type_check.expect(
            grid_type.shape[1] == 2,
            x_type.shape[0] == grid_type.shape[0],
        )

    def forward(self, inputs):
        return inputs

    def backward(self, indexes, grad_outputs):
        return tuple(grad_outputs[i] for i in indexes)


def _const(array):
    return chainer.Variable(array, requires_grad=False)


def spatial_transformer_sampler(x: VariableOrArray, grid: VariableOrArray,
                                **kwargs: Any) -> Variable:
    """Samples the NCHW images ``x`` bilinearly at the points of ``grid``.

    Args:
        x: Variable of shape ``(B, C, H, W)``.
        grid: Variable of shape ``(B, 2, out_H, out_W)`` of the same dtype: the
            x (channel 0) and y (channel 1) source coordinates normalised to
            [-1, 1] (``-1`` is the first pixel, ``1`` the last one), as made by
            :func:`spatial_transformer_grid`.

    Returns:
        ~chainer.Variable of shape ``(B, C, out_H, out_W)``. Points outside the
        image see zeros. Both ``x`` and ``grid`` receive gradients.

    The ``use_cudnn`` argument of old Chainer versions is rejected with a
    ``ValueError``, as in Chainer.
    """
    _check_kwargs(kwargs)
    # One node, as in Chainer: the graph keeps x and grid, not the gathered
    # pixels and weights of the composition (which its backward pass recomputes).
    return SpatialTransformerSampler().apply((x, grid))[0]


def _sample(x, grid):
    """:func:`spatial_transformer_sampler` composed of differentiable functions."""
    x, grid = _SamplerInputs().apply((x, grid))
    xp = backend.get_array_module(x.array)
    B, C, H, W = x.shape
    dtype = x.dtype.type

    # Source coordinates in the image padded by one zero pixel on each side.
    u = (grid[:, 0] + dtype(1)) * dtype((W - 1) / 2) + dtype(1)
    v = (grid[:, 1] + dtype(1)) * dtype((H - 1) / 2) + dtype(1)
    u_clipped = u.array.clip(0, W + 1)
    v_clipped = v.array.clip(0, H + 1)
    # Clipping moves far-away points onto the zero border, where (as in Chainer)
    # a coordinate on or beyond the border gets no gradient.
    u = where((u.array > 0) & (u.array < W + 1), u, u_clipped)
    v = where((v.array > 0) & (v.array < H + 1), v, v_clipped)
    u0 = xp.floor(u_clipped).astype(numpy.int64).clip(0, W)
    v0 = xp.floor(v_clipped).astype(numpy.int64).clip(0, H)
    u1 = u0 + 1
    v1 = v0 + 1

    wu0 = _const(u1.astype(x.dtype)) - u   # weight of column u0
    wu1 = u - _const(u0.astype(x.dtype))   # weight of column u1
    wv0 = _const(v1.astype(x.dtype)) - v
    wv1 = v - _const(v0.astype(x.dtype))

    x_pad = transpose(pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)), 'constant'), (0, 2, 3, 1))
    batch = xp.arange(B)[:, None, None]
    y = None
    for wv, vi in ((wv0, v0), (wv1, v1)):
        for wu, ui in ((wu0, u0), (wu1, u1)):
            w = reshape(wv * wu, wv.shape + (1,))
            term = w * get_item(x_pad, (batch, vi, ui))
            y = term if y is None else y + term
    return transpose(y, (0, 3, 1, 2))


class SpatialTransformerSampler(_CallableNode, _composite.CompositeNode):
    """The node of :func:`spatial_transformer_sampler`: inputs ``(x, grid)``."""

    _n_inputs = (2, 2)

    def _compose(self, x, grid):
        return _sample(x, grid)
