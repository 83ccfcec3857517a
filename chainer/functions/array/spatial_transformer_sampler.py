"""Bilinear sampling of images at grid points (spatial transformer networks)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.function import _CallableNode
from chainer.functions.array.get_item import get_item
from chainer.functions.array.pad import pad
from chainer.functions.array.reshape import reshape
from chainer.functions.array.spatial_transformer_grid import _check_kwargs
from chainer.functions.array.transpose import transpose
from chainer.functions.array.where import where
from chainer.utils import array as array_utils
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


def _bilinear(x, grid):
    """What the node and its gradient compute from: the image padded by one zero
    pixel, channels last (B, H + 2, W + 2, C), and per output point the flat
    indices (B, oh, ow, 4) of its four neighbours in it and their weights (the
    arithmetic of :func:`_sample`, term for term), and the masks of the
    coordinates that are differentiated."""
    xp = backend.get_array_module(x)
    B, C, H, W = x.shape
    dtype = x.dtype.type
    u = (grid[:, 0] + dtype(1)) * dtype((W - 1) / 2) + dtype(1)
    v = (grid[:, 1] + dtype(1)) * dtype((H - 1) / 2) + dtype(1)
    u_in = (u > 0) & (u < W + 1)
    v_in = (v > 0) & (v < H + 1)
    u = u.clip(0, W + 1)
    v = v.clip(0, H + 1)
    u0 = xp.floor(u).astype(numpy.int64).clip(0, W)
    v0 = xp.floor(v).astype(numpy.int64).clip(0, H)
    wu0 = (u0 + 1).astype(x.dtype) - u
    wu1 = u - u0.astype(x.dtype)
    wv0 = (v0 + 1).astype(x.dtype) - v
    wv1 = v - v0.astype(x.dtype)
    row = (xp.arange(B)[:, None, None] * (H + 2) + v0) * (W + 2) + u0
    index = xp.stack((row, row + 1, row + (W + 2), row + (W + 3)), axis=-1)
    weights = xp.stack((wv0 * wu0, wv0 * wu1, wv1 * wu0, wv1 * wu1), axis=-1)
    x_pad = xp.zeros((B, H + 2, W + 2, C), x.dtype)
    x_pad[:, 1:-1, 1:-1] = x.transpose(0, 2, 3, 1)
    return x_pad, index, weights, (wu0, wu1, wv0, wv1), (u_in, v_in)


def _rows(x_pad):
    """The pixels of a channels-last image as rows (B * H * W, C)."""
    B, H, W, C = x_pad.shape
    return x_pad.reshape(B * H * W, C)


class SpatialTransformerSampler(_CallableNode, function_node.FunctionNode):
    """The node of :func:`spatial_transformer_sampler`: inputs ``(x, grid)``.

    Its forward gathers the four neighbours of each point; its gradient is one
    :class:`_SamplerGrad` node, whose own gradient differentiates :func:`_sample`.
    """

    check_type_forward = _SamplerInputs.check_type_forward

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, grid = inputs
        x_pad, index, weights = _bilinear(x, grid)[:3]
        taken = _rows(x_pad)[index]                 # (B, oh, ow, 4, C)
        w = weights[..., None]
        y = w[..., 0, :] * taken[..., 0, :]
        for k in range(1, 4):
            y = y + w[..., k, :] * taken[..., k, :]
        return y.transpose(0, 3, 1, 2),

    def backward(self, indexes, grad_outputs):
        x, grid = self.get_retained_inputs()
        gx, ggrid = _SamplerGrad().apply((x, grid, grad_outputs[0]))
        return tuple((gx, ggrid)[i] for i in indexes)


class _SamplerGrad(_composite.CompositeNode):
    """Gradients ``(gx, ggrid)`` of :class:`SpatialTransformerSampler`: inputs
    ``(x, grid, gy)``. ``gx`` scatters each output gradient to its four
    neighbours; a coordinate strictly inside the padded image gets the sum over
    channels of ``gy`` times the difference of its neighbours along it, weighted
    by the other coordinate's weights. Its own gradient differentiates
    :func:`_sample`."""

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, grid, gy = inputs
        xp = backend.get_array_module(x)
        B, C, H, W = x.shape
        dtype = x.dtype.type
        x_pad, index, weights, (wu0, wu1, wv0, wv1), (u_in, v_in) = _bilinear(x, grid)
        gy_t = gy.transpose(0, 2, 3, 1)                      # (B, oh, ow, C)
        n_points = len(index.reshape(-1, 4))
        gx = array_utils.scatter_rows(
            len(_rows(x_pad)), index.reshape(n_points, 4),
            xp.ascontiguousarray(gy_t).reshape(n_points, C), weights.reshape(n_points, 4))
        gx = gx.reshape(x_pad.shape)[:, 1:-1, 1:-1].transpose(0, 3, 1, 2)
        taken = _rows(x_pad)[index]                 # (B, oh, ow, 4, C)
        p00, p01, p10, p11 = (taken[..., k, :] for k in range(4))
        # sums over the channels of gy times the neighbours' differences
        du0 = ((p01 - p00) * gy_t).sum(axis=-1)
        du1 = ((p11 - p10) * gy_t).sum(axis=-1)
        dv0 = ((p10 - p00) * gy_t).sum(axis=-1)
        dv1 = ((p11 - p01) * gy_t).sum(axis=-1)
        gu = (wv0 * du0 + wv1 * du1) * u_in * dtype((W - 1) / 2)
        gv = (wu0 * dv0 + wu1 * dv1) * v_in * dtype((H - 1) / 2)
        return gx.astype(x.dtype, copy=False), xp.stack((gu, gv), axis=1).astype(
            x.dtype, copy=False)

    def _compose(self, x, grid, gy):
        return tuple(chainer.grad([_sample(x, grid)], [x, grid], [gy],
                                  enable_double_backprop=True))
