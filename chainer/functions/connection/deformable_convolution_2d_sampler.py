"""Deformable convolution: a convolution whose sampling points move by learned offsets."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.array.concat import concat
from chainer.functions.array.pad import pad as pad_module
from chainer.functions.array.reshape import reshape
from chainer.functions.array.spatial_transformer_sampler import spatial_transformer_sampler
from chainer.functions.array.transpose import transpose
from chainer.functions.connection.convolution_2d import convolution_2d
from chainer.functions.connection.convolution_nd import _check_args
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['deformable_convolution_2d_sampler']


def _grid(offset, kh, kw, sy, sx, h, w, x_dtype):
    """Sampling points in the padded input, normalised to [-1, 1] for
    :func:`spatial_transformer_sampler`: ``(n, 2, kh * kw * out_h, out_w)``."""
    xp = backend.get_array_module(offset)
    n, _, out_h, out_w = offset.shape
    # Chainer added the offsets to a float32 grid of the taps: a float16 or bool
    # offset gave float32 points, an integer one float64 (the sampler then refuses
    # them for a float32 x); here a float16 x keeps a float16 grid
    dtype = numpy.result_type(offset.dtype, numpy.float16 if x_dtype == numpy.float16
                              else numpy.float32)
    if offset.dtype != dtype:
        offset = cast(offset, dtype)
    ys = (xp.arange(out_h, dtype=dtype) * sy)[:, None]
    xs = (xp.arange(out_w, dtype=dtype) * sx)[None, :]
    ky = xp.repeat(xp.arange(kh, dtype=dtype), kw)[:, None, None]
    kx = xp.tile(xp.arange(kw, dtype=dtype), kh)[:, None, None]
    base_x = xp.broadcast_to(xs + kx, (kh * kw, out_h, out_w))
    base_y = xp.broadcast_to(ys + ky, (kh * kw, out_h, out_w))
    x_coord = offset[:, :kh * kw] + broadcast_to(base_x, (n, kh * kw, out_h, out_w))
    y_coord = offset[:, kh * kw:] + broadcast_to(base_y, (n, kh * kw, out_h, out_w))
    x_coord = (x_coord * dtype.type(2 / (w - 1))) - 1 if w > 1 else x_coord * 0
    y_coord = (y_coord * dtype.type(2 / (h - 1))) - 1 if h > 1 else y_coord * 0
    grid = concat([reshape(x_coord, (n, 1, kh * kw * out_h, out_w)),
                   reshape(y_coord, (n, 1, kh * kw * out_h, out_w))], axis=1)
    return grid


def deformable_convolution_2d_sampler(x: VariableOrArray, offset: VariableOrArray,
                                      W: VariableOrArray, b: VariableOrArray | None = None,
                                      stride: int | Sequence[int] = 1,
                                      pad: int | Sequence[int] = 0) -> Variable:
    """Two-dimensional deformable convolution with given offsets.

    The filter tap ``(j, i)`` of output pixel ``(p, q)`` reads ``x`` (padded)
    bilinearly at ``(p * sy + j + offset_y, q * sx + i + offset_x)``.

    Args:
        x: Input of shape ``(n, c, h, w)``.
        offset: Offsets of shape ``(n, 2 * kh * kw, out_h, out_w)``: the first
            ``kh * kw`` channels move the taps along x, the rest along y.
        W: Filter of shape ``(c_out, c, kh, kw)``.
        b: Bias of shape ``(c_out,)`` or None.
        stride, pad: Int or pair.
    """
    sy, sx = conv_nd.as_tuple(stride, 2)
    ph, pw = conv_nd.as_tuple(pad, 2)
    # Chainer divided by a zero stride (ZeroDivisionError) and failed on a negative
    # one or a negative pad (ValueError); ours sampled a stride-0 grid
    _check_args((sy, sx), (ph, pw), (1, 1), 1)
    out_c, _, kh, kw = W.shape
    n, c, h, w = x.shape
    if offset.ndim != 4 or offset.shape[1] != 2 * kh * kw or offset.shape[0] != n:
        # also the ValueError Chainer raised (unpacking offset.shape, or its own
        # "The shape of the offset does not match the kernel size")
        raise type_check._InvalidValue(f'offset of shape (n, {2 * kh * kw}, out_h, out_w)',
                                       f'offset.shape == {offset.shape}')
    _, _, out_h, out_w = offset.shape
    x_pad = pad_module(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)), 'constant')
    grid = _grid(offset, kh, kw, sy, sx, h + 2 * ph, w + 2 * pw, x.dtype)
    sampled = spatial_transformer_sampler(x_pad, grid)        # (n, c, kh*kw*out_h, out_w)
    sampled = reshape(sampled, (n, c, kh, kw, out_h, out_w))
    # Lay the taps out as kh x kw tiles so that a stride-(kh, kw) convolution
    # combines exactly the taps of one output pixel.
    tiles = reshape(transpose(sampled, (0, 1, 4, 2, 5, 3)), (n, c, out_h * kh, out_w * kw))
    # Chainer multiplied the taps by W with a matmul, whose result (and so the
    # bias it takes) has the wider dtype of the two, e.g. float32 for a
    # float16 input and float32 weights.
    dtype = numpy.result_type(x.dtype, W.dtype)
    if tiles.dtype != dtype:
        tiles = cast(tiles, dtype)
    return convolution_2d(tiles, W, b, stride=(kh, kw), pad=0)


