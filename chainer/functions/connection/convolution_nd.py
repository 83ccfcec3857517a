"""N-dimensional convolution (``convolution_nd``, ``convolution_1d``/``_3d``) and the
array kernels shared by every convolution and deconvolution.

A convolution is one patch extraction (a strided view of the padded input, copied
once into a ``(batch * pixels, channels * kernel)`` matrix) followed by one matrix
product per group; the gradients are the same products transposed plus one
``col2im``.  Groups run as a stacked ``matmul``, dilation is just a stride of the
patch view, so neither is a special case.  On NumPy, a stride-1 deconvolution that
pays for it runs as the convolution with flipped filters (:func:`_flipped_conv_pad`),
and a large patch matrix is built in pieces (:func:`_patch_pieces`).

On NumPy, 2-D convolutions with 3x3 filters, stride 1, no dilation and one group, of
at least ``_WINOGRAD_MIN_CHANNELS`` (64) input and output channels and
``_WINOGRAD_MIN_TILES`` (256) 2x2 output tiles, run as Winograd F(2x2, 3x3)
(:func:`_winograd_conv`), 2.25 times fewer multiplications: so do the stride-1
deconvolutions that are such a convolution with flipped filters (their input gradients),
and, from ``_WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS`` (64) channels, the weight gradients
(:func:`_winograd_grad_weight`).  The result is rounded otherwise: measured against a
float64 (long double) reference over the VGG layers, odd shapes and 2,000 random
cases, the largest error (relative to the largest result) is, in float32, at most 7e-7
for outputs and input gradients and 1.2e-6 for weight gradients (the patch-matrix
route's 4e-7), in float64 3e-15; a NaN or infinity reaches every output the
patch-matrix route gives it to (and may reach the other outputs of its 2x2 tiles; a
weight gradient may get it at more taps).

On NumPy, 1x1 convolutions with no padding and one group (of at least
``_POINTWISE_MIN_PIXELS`` output pixels) need no patch matrix and no batch-last layout:
each sample is one product with the weights, read and written batch-first
(:func:`_pointwise`), and so are their input gradients (such deconvolutions) and weight
gradients.  A deconvolution of stride > 1 (the input gradient of a strided
convolution) that pays for it runs on NumPy as one stride-1 convolution per output
phase (:func:`_strided_phases`), with no ``col2im``.

On CuPy the patch matrix, ``col2im`` and the batch-first copy of the output (with
the bias added) are single fused kernels (see ``_USE_FUSED_GPU_KERNELS``); NumPy
uses the strided views.
"""
from __future__ import annotations

import contextlib
import itertools
from typing import TYPE_CHECKING, Optional, Sequence

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import _window_kernels
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import conv
from chainer.utils import conv_nd
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


# ----------------------------------------------------------------------------
# Array kernels (NumPy and CuPy alike)
# ----------------------------------------------------------------------------

#: On CuPy, build patch matrices (im2col), fold them back (col2im) and turn the
#: product into the batch-first output plus bias with one fused kernel each
#: (``chainer.utils._window_kernels``) instead of the padding copies, strided copies
#: and per-offset adds that NumPy runs.  ``False`` makes CuPy run the NumPy code path
#: as well.
_USE_FUSED_GPU_KERNELS = True


def _fused(xp) -> bool:
    """Whether to run the fused CUDA kernels for arrays of module ``xp``."""
    return _USE_FUSED_GPU_KERNELS and xp is not numpy


def _compute_dtype(*arrays):
    """The one dtype the arrays are multiplied in (float16 accumulates in float32)."""
    return array_utils.compute_dtype(numpy.result_type(*[a.dtype for a in arrays]))


def _compute(*arrays):
    """The arrays in :func:`_compute_dtype`."""
    dtype = _compute_dtype(*arrays)
    return [a.astype(dtype, copy=False) for a in arrays]


def _grouped_matmul(xp, a, b):
    """``a[g] @ b[g]`` for stacks ``(G, m, k)`` and ``(G, k, n)``: one BLAS call per group."""
    if a.shape[0] == 1:
        return (a[0] @ b[0])[None]
    if a.shape[2] == 1:
        # Outer products (the input gradient of a depthwise convolution): one
        # broadcast multiply, the same products; a stacked matmul runs them
        # several times slower.
        return a * b
    return xp.matmul(a, b)


# The kernels work in a "batch last" layout ``(c, *dims, n)``: a window offset then
# selects runs of ``out_w * n`` contiguous values, so patch copies and the strided
# adds of col2im stream through memory instead of hopping along short rows.

def _batch_last(a):
    """``(n, c, *dims)`` -> a contiguous ``(c, *dims, n)``."""
    xp = backend.get_array_module(a)
    return xp.ascontiguousarray(xp.moveaxis(a, 0, -1))


def _batch_first(a):
    """``(c, *dims, n)`` -> a contiguous ``(n, c, *dims)``."""
    return array_utils.last_axis_first(a)


def _padded_dims(dims, ksize, stride, pad, dilate, out_dims) -> tuple:
    """The extent of the padded image ``dims`` that every window of ``out_dims``
    windows of ``ksize`` lies in."""
    return tuple(max(d + 2 * p, (o - 1) * s + (k - 1) * dl + 1) for d, k, s, p, dl, o in
                 zip(dims, ksize, stride, pad, dilate, out_dims))


def _add_windows(img, img_lead: int, col, col_lead: int, ksize, stride, dilate,
                 out_dims) -> None:
    """Adds each kernel offset's slab of the patch matrix ``col`` (its kernel axes after
    ``col_lead`` axes) into the strided windows of ``img`` (its spatial axes after
    ``img_lead`` axes): the adjoint of gathering the patches."""
    img_head = (slice(None),) * img_lead
    col_head = (slice(None),) * col_lead
    windows = [[slice(j * dl, j * dl + s * (o - 1) + 1, s) for j in range(k)]
               for k, dl, s, o in zip(ksize, dilate, stride, out_dims)]
    for kidx, sl in zip(itertools.product(*(range(k) for k in ksize)),
                        itertools.product(*windows)):
        img[img_head + sl] += col[col_head + kidx]


def _patch_matrix(x, ksize, stride, pad, dilate, out_dims):
    """The patch matrix ``(c * prod(ksize), prod(out_dims) * n)`` of ``x`` ``(n, c, *dims)``.

    Rows run over (channel, kernel offset), columns over (output pixel, batch).  The
    input is written once into a zero-padded batch-last buffer and the patches are
    copied from a strided view of it.
    """
    xp = backend.get_array_module(x)
    if _fused(xp):
        rows = x.shape[1] * array_utils.size_of_shape(ksize)
        cols = array_utils.size_of_shape(out_dims) * x.shape[0]
        return _window_kernels.im2col(x, ksize, stride, pad, dilate,
                                      out_dims).reshape(rows, cols)
    return _patch_rows(_padded_batch_last(x, ksize, stride, pad, dilate, out_dims), ksize,
                       stride, dilate, out_dims, 0, out_dims[0])


def _padded_batch_last(x, ksize, stride, pad, dilate, out_dims, dtype=None):
    """``x`` ``(n, c, *dims)`` as a batch-last ``(c, *full, n)`` image of ``dtype`` (by
    default x's), zero-padded to the extent every window lies in (``x`` itself,
    transposed, where nothing is padded)."""
    xp = backend.get_array_module(x)
    n, c = x.shape[:2]
    dims = x.shape[2:]
    dtype = x.dtype if dtype is None else dtype
    full = _padded_dims(dims, ksize, stride, pad, dilate, out_dims)
    if full == tuple(dims) and dtype == x.dtype:
        return _batch_last(x)
    xt = xp.zeros((c,) + full + (n,), dtype=dtype)
    inner = tuple(slice(p, p + d) for p, d in zip(pad, dims))
    xt[(slice(None),) + inner] = xp.moveaxis(x, 0, -1)
    return xt


def _patch_rows(xt, ksize, stride, dilate, out_dims, lo: int, hi: int):
    """The columns of the patch matrix of the padded batch-last image ``xt`` for the
    outputs ``lo:hi`` along the first spatial axis (a new contiguous matrix)."""
    xp = backend.get_array_module(xt)
    nd = len(ksize)
    st = xt.strides
    sp = st[1:1 + nd]
    start = xt[(slice(None), slice(lo * stride[0], None))]
    view = xp.lib.stride_tricks.as_strided(
        start, shape=(xt.shape[0],) + tuple(ksize) + (hi - lo,) + tuple(out_dims[1:])
        + (xt.shape[-1],),
        strides=(st[0],) + tuple(a * dl for a, dl in zip(sp, dilate))
        + tuple(a * s for a, s in zip(sp, stride)) + (st[-1],))
    return xp.ascontiguousarray(view).reshape(
        xt.shape[0] * array_utils.size_of_shape(ksize),
        array_utils.size_of_shape(view.shape[1 + nd:]))


#: (NumPy) A patch matrix larger than this many bytes is built and multiplied in
#: pieces of about ``_PATCH_PIECE`` bytes (whole rows of outputs along the first
#: spatial axis), each product written straight into its columns of the result.
#: The allocator maps so large a matrix afresh at every call and the kernel faults
#: in every page of it; the pieces are reused from the heap and stay in the cache
#: (a 3x3 convolution of a (16, 64, 32, 32) input: 1.1 to 1.15 times faster; a
#: matrix under the threshold gains nothing from pieces).
_PATCH_PIECES_MIN = 32 << 20
_PATCH_PIECE = 8 << 20
#: (NumPy) The float32 patch matrix of a float16 input is built in pieces of about
#: this many bytes from this size on: no float32 copy of the input and no whole
#: float32 matrix (twice the size of Chainer's float16 one) are made.
_HALF_PATCH_PIECE = 2 << 20


def _patch_pieces(x, ksize, out_dims, groups: int, dtype=None):
    """(NumPy) The number of outputs along the first spatial axis per piece of the patch
    matrix of ``x`` built in ``dtype`` (by default x's), or None where it is built whole."""
    if backend.get_array_module(x) is not numpy or groups != 1 or not x.size:
        return None
    dtype = x.dtype if dtype is None else numpy.dtype(dtype)
    row_bytes = (x.shape[0] * x.shape[1] * dtype.itemsize * array_utils.size_of_shape(ksize)
                 * array_utils.size_of_shape(out_dims[1:]))
    low, size = ((_PATCH_PIECES_MIN, _PATCH_PIECE) if dtype == x.dtype
                 else (_HALF_PATCH_PIECE, _HALF_PATCH_PIECE))
    if row_bytes * out_dims[0] <= low:
        return None
    return max(1, size // row_bytes)


def _col2im_batch_last(col, stride, pad, dilate, dims):
    """Sums ``col`` ``(c, *k, *out_dims, n)`` back into a batch-last image ``(c, *dims, n)``
    (the adjoint of :func:`_patch_matrix`); returns it batch-first ``(n, c, *dims)``."""
    xp = backend.get_array_module(col)
    if _fused(xp):
        return _window_kernels.col2im(col, stride, pad, dilate, dims)
    nd = len(dims)
    c, n = col.shape[0], col.shape[-1]
    ksize = col.shape[1:1 + nd]
    out_dims = col.shape[1 + nd:1 + 2 * nd]
    full = _padded_dims(dims, ksize, stride, pad, dilate, out_dims)
    img = xp.zeros((c,) + full + (n,), dtype=col.dtype)
    _add_windows(img, 1, col, 1, ksize, stride, dilate, out_dims)
    if full == tuple(dims):
        return _batch_first(img)
    # Cropped after the transpose, which is faster on a contiguous image.
    crop = tuple(slice(p, p + d) for p, d in zip(pad, dims))
    return xp.ascontiguousarray(_batch_first(img)[(slice(None), slice(None)) + crop])


def _patch_matrix_pieces(x, ksize, stride, pad, dilate, out_dims, piece: int, dtype=None):
    """(NumPy) The patch matrix of ``x`` (in ``dtype``, by default x's) in pieces of
    ``piece`` outputs along the first spatial axis: ``(columns, piece)`` pairs,
    ``columns`` the slice of the whole matrix's columns that ``piece`` holds."""
    xt = _padded_batch_last(x, ksize, stride, pad, dilate, out_dims, dtype)
    step = array_utils.size_of_shape(out_dims[1:]) * x.shape[0]
    for lo in range(0, out_dims[0], piece):
        hi = min(lo + piece, out_dims[0])
        yield (slice(lo * step, hi * step),
               _patch_rows(xt, ksize, stride, dilate, out_dims, lo, hi))


def _product_in_pieces(w, x, ksize, stride, pad, dilate, out_dims, piece: int):
    """(NumPy) ``w @ patch matrix of x`` (in w's dtype), the patch matrix built and
    multiplied ``piece`` outputs along the first spatial axis at a time (the same
    products)."""
    y = numpy.empty((w.shape[0], array_utils.size_of_shape(out_dims) * x.shape[0]), w.dtype)
    for columns, cols in _patch_matrix_pieces(x, ksize, stride, pad, dilate, out_dims, piece,
                                              w.dtype):
        numpy.matmul(w, cols, out=y[:, columns])
    return y


# Winograd's minimal filtering F(2x2, 3x3) (NumPy): each 2x2 tile of outputs of a 3x3
# convolution of stride 1 is ``A^T [(G w G^T) * (B^T d B)] A`` for the 4x4 input tile
# ``d`` around it, so that the products are 16 matrix products (tiles x C) @ (C x K),
# 2.25 times fewer multiplications than the patch matrix's (tiles x 9C) @ (9C x K);
# the transforms of ``d`` (``B``) and of the products (``A``) are adds and subtracts.
# The weight gradient is the adjoint: ``G^T [sum over tiles (B^T d B) * (A g A^T)] G``.
_WINOGRAD_G = numpy.array([[1, 0, 0], [.5, .5, .5], [.5, -.5, .5], [0, 0, 1]])
#: ``(G w G^T)`` of every ``(4, 4)`` position as rows of a ``(16, 9)`` matrix applied to
#: the 9 filter taps.
_WINOGRAD_FILTER = numpy.kron(_WINOGRAD_G, _WINOGRAD_G)
#: The same with the last row of ``G`` negated: the weight gradient's transform of the
#: output gradient leaves out that row's sign (``-g`` as ``g``).
_WINOGRAD_FILTER_GRAD = numpy.kron(_WINOGRAD_G * [[1], [1], [1], [-1]],
                                   _WINOGRAD_G * [[1], [1], [1], [-1]])

#: (NumPy) Convolutions with 3x3 filters, stride 1, no dilation and one group run as
#: Winograd F(2x2, 3x3) (:func:`_winograd_conv`) from this many input and output
#: channels and ``_WINOGRAD_MIN_TILES`` output tiles on; their weight gradients
#: (:func:`_winograd_grad_weight`) from ``_WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS`` on.  With
#: fewer, the transforms (and the filters' one) cost more than the products saved
#: (measured on one core, float32: the forwards and input gradients of the VGG layers
#: of 64 to 256 channels and 8x8 to 32x32 images 1.0 to 1.7 times faster, their weight
#: gradients 1.05 to 1.5 times (with the transforms as stacked products), of 64
#: channels and 8x8 to 56x56 images too; of odd 7x7 images up to 1.2 times slower).
_WINOGRAD_MIN_CHANNELS = 64
_WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS = 64
_WINOGRAD_MIN_TILES = 256
#: (NumPy) Samples go through the Winograd transforms and products in blocks of about
#: this many bytes of transformed input or products (in the cache).
_WINOGRAD_BLOCK = 2 << 20


def _winograd_applies(x_shape, W_shape, stride, pad, dilate, groups: int, out_dims,
                      min_channels: int) -> bool:
    """Whether the convolution of ``x`` by ``W`` (output channels ``W_shape[0]``) runs as
    Winograd F(2x2, 3x3) (from ``min_channels`` channels on)."""
    return (len(out_dims) == 2 and tuple(W_shape[2:]) == (3, 3) and groups == 1
            and tuple(stride) == (1, 1) and tuple(dilate) == (1, 1)
            and min(W_shape[0], x_shape[1]) >= min_channels
            and x_shape[0] * ((out_dims[0] + 1) // 2) * ((out_dims[1] + 1) // 2)
            >= _WINOGRAD_MIN_TILES
            and all(o == d + 2 * p - 2 for o, d, p in zip(out_dims, x_shape[2:], pad)))


def _winograd_filters(W, flipped: bool):
    """The transformed filters ``U`` ``(16, C, K)`` (``U[4 * i + j] = (G w G^T)[i, j]``) of
    convolution filters ``W`` ``(K, C, 3, 3)``, or, ``flipped``, of the convolution that a
    stride-1 deconvolution with filters ``W`` ``(C, K, 3, 3)`` is (:func:`_flipped_filters`)."""
    g = _WINOGRAD_FILTER.astype(W.dtype)
    a, b = W.shape[:2]
    if flipped:
        return (g[:, ::-1] @ W.reshape(a * b, 9).T).reshape(16, a, b)
    return (g @ W.reshape(a * b, 9).T).reshape(16, a, b).transpose(0, 2, 1)


#: ``B^T`` of F(2x2, 3x3) along one axis: ``(d0 - d2, d1 + d2, d2 - d1, d1 - d3)`` of
#: the four rows (or columns) of a tile, applied as one stacked product, one pass
#: over them (about twice as fast as four ufunc calls).  Each value is that one
#: difference or sum (the zero terms add nothing to a finite value; an infinity
#: they meet makes the tile's other values NaN, as the products spread it within
#: the tile anyway).
_WINOGRAD_ROWS = numpy.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]])


def _winograd_output_transform(m0, m1, m2, m3, out0, out1) -> None:
    """``A^T`` along one axis: ``out0 = m0 + m1 + m2``, ``out1 = m1 - m3 - m2`` (either
    may be ``m0`` or ``m3`` itself)."""
    numpy.add(m0, m1, out=out0)
    out0 += m2
    numpy.subtract(m1, m3, out=out1)
    out1 -= m2


#: ``A`` of F(2x2, 3x3) along one axis (the last row's sign left to the filter side):
#: ``(g0, g0 + g1, g0 - g1, g1)`` of the two rows (or columns) of an output tile, as
#: one stacked product (each value that one sum, difference or copy, as with
#: :data:`_WINOGRAD_ROWS`).
_WINOGRAD_GRAD_ROWS = numpy.array([[1, 0], [1, 1], [1, -1], [0, 1]])


def _winograd_block(n: int, c: int, k: int, out_dims, itemsize: int, budget: int) -> tuple:
    """``(th, tw, nb)``: the tiles along each axis and the samples per block for
    transformed inputs or products of about ``budget`` bytes."""
    th, tw = (out_dims[0] + 1) // 2, (out_dims[1] + 1) // 2
    return th, tw, max(1, min(n, budget // (16 * th * tw * max(c, k) * itemsize)))


def _winograd_blocks(x, pad, th: int, tw: int, nb: int, scratch):
    """(NumPy) The transformed input tiles ``B^T d B`` of ``x`` ``(n, C, h, w)`` padded by
    ``pad``, for ``th`` x ``tw`` output tiles, ``nb`` samples at a time: ``(n0, s, v)``,
    ``v`` the ``(4, 4, nb, th, tw, C)`` buffer whose ``[:, :, :s]`` holds samples
    ``n0:n0 + s``.  ``v`` and the flat array ``scratch`` (at least
    ``8 * nb * th * (tw + 1) * C`` elements, the row transforms) are free for the
    caller's use until the next block.

    The samples are copied channel-last into a zero-padded buffer, so that the four
    rows of a tile row, and the four columns of a tile, are evenly spaced: each pass
    of ``B^T`` is then one stacked product (:data:`_WINOGRAD_ROWS`) into buffers
    reused across blocks.
    """
    n, c, h, w = x.shape
    ph, pw = pad
    dt = x.dtype
    item = dt.itemsize
    xt = numpy.zeros((nb, 2 * th + 2, 2 * tw + 2, c), dt)
    rows = scratch[:8 * nb * th * (tw + 1) * c].reshape(nb, th, 4, 2 * tw + 2, c)
    as_strided = numpy.lib.stride_tricks.as_strided
    # rows 2t .. 2t + 3 of each tile row t, then columns 2u .. 2u + 3 of each tile u
    st = xt.strides
    tile_rows = as_strided(xt, (nb, th, 4, (2 * tw + 2) * c),
                           (st[0], 2 * st[1], st[1], item), writeable=False)
    st = rows.strides
    tile_cols = as_strided(rows, (nb, th, 4, tw, 4, c),
                           st[:3] + (2 * st[3], st[3], item), writeable=False)
    bt = _WINOGRAD_ROWS.astype(dt)
    v = numpy.empty((4, 4, nb, th, tw, c), dt)
    for n0 in range(0, n, nb):
        s = min(nb, n - n0)
        xt[:s, ph:ph + h, pw:pw + w] = x[n0:n0 + s].transpose(0, 2, 3, 1)
        # B^T d: rows 2t, 2t+1, 2t+2, 2t+3 of each tile row t
        numpy.matmul(bt, tile_rows[:s], out=rows[:s].reshape(s, th, 4, -1))
        # (B^T d) B: columns 2u .. 2u+3 of each tile u, written as (4, 4, s, th, tw, C)
        numpy.matmul(bt, tile_cols[:s], out=v[:, :, :s].transpose(2, 3, 0, 4, 1, 5))
        yield n0, s, v


def _winograd_conv(x, U, pad, out_dims):
    """(NumPy) The convolution ``(n, K, *out_dims)`` of ``x`` ``(n, C, h, w)`` with the
    transformed filters ``U`` ``(16, C, K)`` (:func:`_winograd_filters`), stride 1.

    The products share their buffer with the input's row transforms, and the output
    tiles theirs with the transformed input (each free by then)."""
    n, c = x.shape[:2]
    k = U.shape[2]
    oh, ow = out_dims
    dt = x.dtype
    th, tw, nb = _winograd_block(n, c, k, out_dims, dt.itemsize, _WINOGRAD_BLOCK)
    scratch = numpy.empty(max(8 * nb * th * (tw + 1) * c, 16 * nb * th * tw * k), dt)
    y = numpy.empty((n, k, oh, ow), dt)
    for n0, s, v in _winograd_blocks(x, pad, th, tw, nb, scratch):
        tiles = s * th * tw
        m = scratch[:16 * tiles * k].reshape(4, 4, s, th, tw, k)
        numpy.matmul(v[:, :, :s].reshape(16, tiles, c), U, out=m.reshape(16, tiles, k))
        # A^T m, into m[0] and m[3]
        _winograd_output_transform(*m, m[0], m[3])
        # (A^T m) A, written interleaved into the tile rows and columns of yt
        if 4 * k <= 16 * c:
            yt = v.reshape(-1)[:4 * tiles * k].reshape(s, th, 2, tw, 2, k)
        else:
            yt = numpy.empty((s, th, 2, tw, 2, k), dt)
        sa = m[::3]
        _winograd_output_transform(*[sa[:, i] for i in range(4)],
                                   yt[:, :, :, :, 0].transpose(2, 0, 1, 3, 4),
                                   yt[:, :, :, :, 1].transpose(2, 0, 1, 3, 4))
        if (oh, ow) == (2 * th, 2 * tw):
            # channel-last tiles to channel-first outputs, sample by sample through the
            # blocked transposing copy (1.5 to 2 times faster than NumPy's)
            for i in range(s):
                array_utils.last_axis_first(yt[i].reshape(oh, ow, k), out=y[n0 + i])
        else:
            y[n0:n0 + s] = yt.reshape(s, 2 * th, 2 * tw, k)[:, :oh, :ow].transpose(0, 3, 1, 2)
    return y


def _winograd_grad_weight(x, gy, pad):
    """(NumPy) The weight gradient ``(K, C, 3, 3)`` of the stride-1 convolution of ``x``
    ``(n, C, h, w)`` padded by ``pad``, for the output gradient ``gy`` ``(n, K, oh, ow)``:
    the tiles' ``(A g A^T)^T (B^T d B)`` summed over tiles (block by block, each block's
    products added in by BLAS where it can), then ``G^T . G``."""
    n, c = x.shape[:2]
    k, oh, ow = gy.shape[1:]
    dt = x.dtype
    # half the forward's blocks: the sums of the products are another 16 C K
    th, tw, nb = _winograd_block(n, c, k, (oh, ow), dt.itemsize, _WINOGRAD_BLOCK // 2)
    # gy channel-last in whole tiles (zeros past odd sizes), its row transforms and the
    # transformed output gradient
    g = numpy.zeros((nb, th, 2, tw, 2, k), dt)
    scratch = numpy.empty(max(8 * nb * th * (tw + 1) * c, 8 * nb * th * tw * k), dt)
    gm = numpy.empty((4, 4, nb, th, tw, k), dt)
    at = _WINOGRAD_GRAD_ROWS.astype(dt)
    gu = None
    for n0, s, v in _winograd_blocks(x, pad, th, tw, nb, scratch):
        tiles = s * th * tw
        gb, mb = g[:s], gm[:, :, :s]
        r = scratch[:8 * tiles * k].reshape(s, th, 4, tw, 2, k)
        gb.reshape(s, 2 * th, 2 * tw, k)[:, :oh, :ow] = gy[n0:n0 + s].transpose(0, 2, 3, 1)
        # A g along the rows (the two rows of each tile row), then (A g) A^T along the
        # columns (the two of each tile), written as (4, 4, s, th, tw, K)
        numpy.matmul(at, gb.reshape(s, th, 2, 2 * tw * k), out=r.reshape(s, th, 4, -1))
        numpy.matmul(at, r, out=mb.transpose(2, 3, 0, 4, 1, 5))
        a, b = mb.reshape(16, tiles, k), v[:, :, :s].reshape(16, tiles, c)
        if gu is None:
            gu = numpy.matmul(a.transpose(0, 2, 1), b)
        else:
            for i in range(16):
                if array_utils.add_matmul_ta(gu[i], a[i], b[i]) is None:
                    gu[i] += a[i].T @ b[i]
    gw = gu.reshape(16, k * c).T @ _WINOGRAD_FILTER_GRAD.astype(dt)
    return gw.reshape(k, c, 3, 3)


#: (NumPy) Convolutions with 1x1 filters, no padding and one group (any stride whose
#: outputs are every ``stride``-th pixel), of at least ``_POINTWISE_MIN_PIXELS`` output
#: pixels per sample, or of at least ``_POINTWISE_SMALL_MIN_PIXELS`` and at most
#: ``_POINTWISE_SMALL_MAX_WEIGHTS`` weights, multiply each sample's ``(channels, pixels)``
#: matrix in place (:func:`_pointwise`): no batch-last copies in or out.  Otherwise the
#: per-sample products are too narrow for BLAS next to their weights and the one
#: product over the batch-last layout wins (measured on one core, float32: 1x1 layers
#: of 8x8 to 56x56 outputs 1.1 to 3 times faster in each of forward, input and weight
#: gradient, of 4x4 and 7x7 outputs up to 256 x 256 weights 1.1 to 6 times in all
#: (5x5 outputs of 256 x 256 weights 1.1 times slower); per-sample products of 7x7
#: outputs and 512 x 2048 weights up to 1.3 times slower, of 1x1 outputs up to 4 times).
_POINTWISE_MIN_PIXELS = 64
_POINTWISE_SMALL_MIN_PIXELS = 16
_POINTWISE_SMALL_MAX_WEIGHTS = 1 << 16


def _pointwise(xp, ksize, stride, pad, groups: int, dims, out_dims, weights: int) -> bool:
    """Whether the convolution of images ``dims`` into ``out_dims`` (or the deconvolution
    of ``out_dims`` back into ``dims``) with ``weights`` filter values runs as
    per-sample products on NumPy."""
    if not (xp is numpy and groups == 1 and all(k == 1 for k in ksize) and not any(pad)
            and all(o == (d - 1) // s + 1 for o, d, s in zip(out_dims, dims, stride))):
        return False
    pixels = array_utils.size_of_shape(out_dims)
    return pixels >= _POINTWISE_MIN_PIXELS or (
        pixels >= _POINTWISE_SMALL_MIN_PIXELS and weights <= _POINTWISE_SMALL_MAX_WEIGHTS)


def _pixel_matrices(x, stride):
    """``x`` ``(n, c, *dims)`` as a C-contiguous ``(n, c, pixels)`` stack of the pixels that
    a 1x1 convolution of ``stride`` reads (every ``stride``-th one)."""
    if any(s != 1 for s in stride):
        x = x[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)]
    x = numpy.ascontiguousarray(x)
    return x.reshape(x.shape[:2] + (array_utils.size_of_shape(x.shape[2:]),))


#: (NumPy) Convolutions of one group whose patches hold at most
#: ``_SAMPLE_PATCHES_MAX_INNER`` values (``channels * prod(ksize)``: the first layer of an
#: image model, 3 channels and 3x3 filters), of at least ``_SAMPLE_PATCHES_MIN_PIXELS``
#: output pixels per sample, multiply each sample's own patch matrix ``(c * k, pixels)``
#: (:func:`_sample_patches`), read and written batch-first: no batch-last copies of the
#: input and of the output (or of the output gradient, for the weight gradient), which
#: cost more than so short a product (measured on one core, float32: 3x3 filters over 3
#: channels of 32x32 to 224x224 images, 5x5 filters over one channel of 28x28 images,
#: forwards 1.9 times faster, weight gradients 1.6 to 1.8 times; from 16 channels of
#: 3x3, 144 values, the weight gradient is slower).
_SAMPLE_PATCHES_MAX_INNER = 32
_SAMPLE_PATCHES_MIN_PIXELS = 256
#: (NumPy) Samples go through :func:`_sample_patches` in blocks of patch matrices of
#: about this many bytes.
_SAMPLE_PATCHES_BLOCK = 4 << 20


def _per_sample_patches(xp, x_shape, ksize, groups: int, out_dims) -> bool:
    """Whether the convolution of ``x`` with filters of ``ksize`` runs on NumPy as one
    product per sample with its own patch matrix (:func:`_sample_patches`)."""
    return (xp is numpy and groups == 1 and 0 < x_shape[1] * array_utils.size_of_shape(ksize)
            <= _SAMPLE_PATCHES_MAX_INNER
            and array_utils.size_of_shape(out_dims) >= _SAMPLE_PATCHES_MIN_PIXELS)


def _sample_patches(x, ksize, stride, pad, dilate, out_dims):
    """(NumPy) The patch matrices ``(s, c * prod(ksize), prod(out_dims))`` of ``x``
    ``(n, c, *dims)`` (rows over (channel, kernel offset), columns over output pixels),
    blocks of ``s`` samples at a time: ``(n0, s, cols)``."""
    n, c = x.shape[:2]
    dims = x.shape[2:]
    full = _padded_dims(dims, ksize, stride, pad, dilate, out_dims)
    rows = c * array_utils.size_of_shape(ksize)
    pixels = array_utils.size_of_shape(out_dims)
    nb = max(1, min(n, _SAMPLE_PATCHES_BLOCK // max(1, rows * pixels * x.dtype.itemsize)))
    padded = None
    if full != tuple(dims):
        padded = numpy.zeros((nb, c) + full, x.dtype)
    inner = (slice(None), slice(None)) + tuple(slice(p, p + d) for p, d in zip(pad, dims))
    for n0 in range(0, n, nb):
        s = min(nb, n - n0)
        if padded is None:
            xb = x[n0:n0 + s]
        else:
            xb = padded[:s]
            xb[inner] = x[n0:n0 + s]
        st = xb.strides
        view = numpy.lib.stride_tricks.as_strided(
            xb, (s, c) + tuple(ksize) + tuple(out_dims),
            st[:2] + tuple(a * dl for a, dl in zip(st[2:], dilate))
            + tuple(a * sd for a, sd in zip(st[2:], stride)), writeable=False)
        yield n0, s, numpy.ascontiguousarray(view).reshape(s, rows, pixels)


def conv_forward(x, W, stride, pad, dilate, groups: int, out_dims, b=None):
    """``y[n, o, p] = sum_{c, k} x[n, c, p * s + k * d - pad] W[o, c, k] (+ b[o])`` per
    group, in ``x``'s dtype."""
    xp = backend.get_array_module(x)
    dtype = x.dtype
    # x is cast to the compute dtype where used: a float16 x built into the patch
    # pieces in float32 is not copied whole
    cdt = _compute_dtype(x, W)
    W = W.astype(cdt, copy=False)
    out_c = W.shape[0]
    ksize = W.shape[2:]
    if xp is numpy and _winograd_applies(x.shape, W.shape, stride, pad, dilate, groups,
                                         out_dims, _WINOGRAD_MIN_CHANNELS):
        y = _winograd_conv(x.astype(cdt, copy=False), _winograd_filters(W, False), pad,
                           out_dims).astype(dtype, copy=False)
        return y if b is None else _add_bias(y, b)
    if _pointwise(xp, ksize, stride, pad, groups, x.shape[2:], out_dims, W.size):
        # y[n] = W @ x[n], written in the output's layout
        y = numpy.matmul(W.reshape(out_c, x.shape[1]),
                         _pixel_matrices(x.astype(cdt, copy=False), stride))
        y = y.reshape((x.shape[0], out_c) + tuple(out_dims)).astype(dtype, copy=False)
        return y if b is None else _add_bias(y, b)
    if _per_sample_patches(xp, x.shape, ksize, groups, out_dims):
        # y[n] = W @ (patch matrix of x[n]), written in the output's layout
        w = W.reshape(out_c, -1)
        y = numpy.empty((x.shape[0], out_c, array_utils.size_of_shape(out_dims)), cdt)
        for n0, s, cols in _sample_patches(x.astype(cdt, copy=False), ksize, stride, pad,
                                           dilate, out_dims):
            numpy.matmul(w, cols, out=y[n0:n0 + s])
        y = y.reshape((x.shape[0], out_c) + tuple(out_dims)).astype(dtype, copy=False)
        return y if b is None else _add_bias(y, b)
    piece = _patch_pieces(x, ksize, out_dims, groups, cdt)
    if piece is not None:
        w = W.reshape(out_c, x.shape[1] * array_utils.size_of_shape(ksize))
        y = _product_in_pieces(w, x, ksize, stride, pad, dilate, out_dims, piece)
    else:
        cols = _patch_matrix(x.astype(cdt, copy=False), ksize, stride, pad, dilate, out_dims)
        # explicit sizes (not -1), so that no output (or input) channels work
        y = _grouped_matmul(xp, W.reshape(groups, out_c // groups, cols.shape[0] // groups),
                            cols.reshape(groups, cols.shape[0] // groups, cols.shape[1]))
    y = y.reshape((out_c,) + tuple(out_dims) + (x.shape[0],))
    if _fused(xp):
        return _window_kernels.batch_first(y, b, dtype)
    y = _batch_first(y).astype(dtype, copy=False)
    return y if b is None else _add_bias(y, b)


def conv_grad_weight(x, gy, ksize, stride, pad, dilate, groups: int):
    """The weight gradient of :func:`conv_forward` for output gradient ``gy``."""
    xp = backend.get_array_module(x)
    out_c = gy.shape[1]
    out_dims = gy.shape[2:]
    cdt = _compute_dtype(x, gy)
    if _per_sample_patches(xp, x.shape, ksize, groups, out_dims):
        # gW = sum_n gy[n] @ (patch matrix of x[n])^T, each product added in by BLAS
        g = numpy.ascontiguousarray(gy, dtype=cdt).reshape(
            gy.shape[:2] + (array_utils.size_of_shape(out_dims),))
        gW = numpy.zeros((out_c, x.shape[1] * array_utils.size_of_shape(ksize)), cdt)
        for n0, s, cols in _sample_patches(x.astype(cdt, copy=False), ksize, stride, pad,
                                           dilate, out_dims):
            gW += array_utils.sum_matmul_t(g[n0:n0 + s], cols)
        return gW.reshape((out_c, x.shape[1]) + tuple(ksize))
    piece = _patch_pieces(x, ksize, out_dims, groups, cdt)
    if piece is not None and not _winograd_applies(
            x.shape, (out_c, x.shape[1]) + tuple(ksize), stride, pad, dilate, groups, out_dims,
            _WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS) and not _pointwise(
            xp, ksize, stride, pad, groups, x.shape[2:], out_dims, out_c * x.shape[1]):
        # the sum over outputs in pieces, added up (rounded otherwise than one product);
        # a float16 x and gy are built into float32 pieces and a float32 gy with no
        # whole float32 copy of x
        g = numpy.empty((out_c,) + tuple(out_dims) + (gy.shape[0],), cdt)
        numpy.copyto(g, numpy.moveaxis(gy, 0, -1))
        g = g.reshape(out_c, -1)
        gWt = None
        for columns, cols in _patch_matrix_pieces(x, ksize, stride, pad, dilate, out_dims,
                                                  piece, cdt):
            part = cols @ g[:, columns].T
            if gWt is None:
                gWt = part
            else:
                gWt += part
        return gWt.T.reshape((out_c, x.shape[1]) + tuple(ksize))
    x, gy = _compute(x, gy)
    if xp is numpy and _winograd_applies(x.shape, (out_c, x.shape[1]) + tuple(ksize), stride,
                                         pad, dilate, groups, out_dims,
                                         _WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS):
        return _winograd_grad_weight(x, gy, pad)
    if _pointwise(xp, ksize, stride, pad, groups, x.shape[2:], out_dims,
                  out_c * x.shape[1]):
        # gW = sum_n gy[n] @ x[n]^T, each product added into the sum by BLAS
        gW = array_utils.sum_matmul_t(_pixel_matrices(gy, (1,) * len(out_dims)),
                                      _pixel_matrices(x, stride))
        return gW.reshape((out_c, x.shape[1]) + tuple(ksize))
    cols = _patch_matrix(x, ksize, stride, pad, dilate, out_dims)
    g = _batch_last(gy).reshape(groups, out_c // groups, cols.shape[1])
    cols = cols.reshape(groups, cols.shape[0] // groups, cols.shape[1])
    # Computed transposed, (patch rows) x (output channels): OpenBLAS runs the long
    # inner sum 1.2 to 2 times faster in that orientation; the result is small.
    gWt = _grouped_matmul(xp, cols, g.transpose(0, 2, 1))
    return gWt.transpose(0, 2, 1).reshape((out_c, x.shape[1] // groups) + tuple(ksize))


def deconv_forward(x, W, stride, pad, dilate, groups: int, out_dims):
    """The transpose of :func:`conv_forward` w.r.t. its input (``W`` in convolution layout
    ``(in_c, out_c // groups, *k)`` as seen from ``x``); spatial output ``out_dims``."""
    xp = backend.get_array_module(x)
    # x is cast to the compute dtype where used (not where conv_forward takes it)
    cdt = _compute_dtype(x, W)
    W_in = W
    W = W.astype(cdt, copy=False)
    n, in_c = x.shape[:2]
    ksize = W.shape[2:]
    out_c = W.shape[1] * groups
    if _pointwise(xp, ksize, stride, pad, groups, out_dims, x.shape[2:], W.size):
        # y[n] = W^T @ x[n] at every stride-th pixel (zeros between)
        y = numpy.matmul(W.reshape(in_c, out_c).T,
                         _pixel_matrices(x.astype(cdt, copy=False), (1,) * len(ksize)))
        y = y.reshape((n, out_c) + x.shape[2:])
        if all(s == 1 for s in stride):
            return y
        full = numpy.zeros((n, out_c) + tuple(out_dims), y.dtype)
        full[(slice(None), slice(None)) + tuple(slice(None, None, s) for s in stride)] = y
        return full
    if xp is numpy and len(ksize) == 2 and all(p <= 2 for p in pad):
        # stride 1: the convolution with the flipped filters, padded 2 - pad
        conv_pad = tuple(2 - p for p in pad)
        if _winograd_applies(x.shape, (W.shape[1], in_c) + ksize, stride, conv_pad, dilate,
                             groups, out_dims, _WINOGRAD_MIN_CHANNELS):
            return _winograd_conv(x.astype(cdt, copy=False), _winograd_filters(W, True),
                                  conv_pad, out_dims)
    axes = None if xp is not numpy else _strided_phases(x.shape, W.shape, stride, pad, dilate,
                                                        groups, out_dims)
    if axes is not None:
        return _deconv_by_phases(x, W, stride, pad, groups, out_dims, axes)
    conv_pad = None if xp is not numpy else _flipped_conv_pad(x.shape, W.shape, stride, pad,
                                                         dilate, groups, out_dims)
    # (a float16 x runs as the flipped convolution where it can: built in float32
    # pieces, not in a whole float32 patch matrix, twice the size of Chainer's)
    if (groups == 1 and 0 < in_c <= _CHANNEL_LAST_MAX_INNER and not _fused(xp)
            and x.size // in_c * (W.size // in_c) >= _CHANNEL_LAST_MIN
            and (conv_pad is None or x.dtype == cdt)):
        return _deconv_channel_last(x.astype(cdt, copy=False), W, stride, pad, dilate, out_dims)
    if conv_pad is not None:
        return conv_forward(x, _flipped_filters(W_in, groups), stride, conv_pad, dilate,
                            groups, out_dims)
    xm = _batch_last(x.astype(cdt, copy=False))
    # explicit sizes (not -1), so that no input (or output) channels work
    xm = xm.reshape(groups, in_c // groups, array_utils.size_of_shape(xm.shape[1:]))
    w_cols = W.shape[1] * array_utils.size_of_shape(ksize)
    col = _grouped_matmul(xp, W.reshape(groups, in_c // groups, w_cols).transpose(0, 2, 1), xm)
    col = col.reshape((out_c,) + tuple(ksize) + tuple(x.shape[2:]) + (n,))
    return _col2im_batch_last(col, stride, pad, dilate, out_dims)


#: (NumPy) Strided deconvolutions (the input gradients of strided convolutions) of at
#: least this many multiplications run phase by phase (:func:`_strided_phases`).
_PHASES_MIN_PRODUCTS = 1 << 20


def _strided_phases(x_shape, W_shape, stride, pad, dilate, groups: int, out_dims):
    """(NumPy) The phases of a deconvolution of stride > 1 that runs faster as one
    stride-1 convolution per phase; None where it does not.

    The outputs ``i = m * s + r`` of one residue ``r`` (per axis) receive from the
    taps ``k = k0, k0 + s, ...`` (``k0 = (r + pad) % s``) only: they are the stride-1
    convolution of ``x`` with those taps flipped.  Each phase multiplies a patch matrix
    of ``x`` and writes its outputs once, instead of one large product whose
    ``prod(ksize)`` slabs are added back by ``col2im``: it pays where that matrix is
    no larger than the slabs (at least as many output as input channels per group) or
    is ``x`` itself (every phase one tap: ``ksize <= stride``; 1.2 to 3.5 times faster;
    with fewer output channels and several taps, up to 1.2 times slower).

    Per axis, a list of ``(r, m, k0, taps, left)`` for the residues that have outputs:
    ``m`` outputs, ``taps`` taps (0: zeros), ``left`` the padding of ``x`` in the
    phase's convolution (negative: that many leading pixels of ``x`` unused).
    """
    ksize = W_shape[2:]
    if (all(s == 1 for s in stride) or any(d != 1 for d in dilate)
            or (W_shape[1] < W_shape[0] // groups
                and any(k > s for k, s in zip(ksize, stride)))
            or array_utils.size_of_shape(x_shape) * W_shape[1]
            * array_utils.size_of_shape(ksize) < _PHASES_MIN_PRODUCTS):
        return None
    axes = []
    for d, s, p, k in zip(out_dims, stride, pad, ksize):
        phases = []
        for r in range(min(s, d)):
            k0 = (r + p) % s
            taps = len(range(k0, k, s))
            phases.append((r, len(range(r, d, s)), k0, taps, taps - 1 - (r + p - k0) // s))
        axes.append(phases)
    return axes


def _deconv_by_phases(x, W, stride, pad, groups: int, out_dims, axes):
    """(NumPy) :func:`deconv_forward` of stride > 1 as one stride-1 convolution per phase
    (:func:`_strided_phases`), each written into its strided outputs."""
    nd = len(out_dims)
    out_c = W.shape[1] * groups
    empty = any(taps == 0 for phases in axes for _, _, _, taps, _ in phases)
    y = (numpy.zeros if empty else numpy.empty)((x.shape[0], out_c) + tuple(out_dims),
                                                 x.dtype)
    head = (slice(None), slice(None))
    for phase in itertools.product(*axes):
        if any(taps == 0 for _, _, _, taps, _ in phase):
            continue
        xs = x[head + tuple(slice(max(0, -left), None) for *_, left in phase)]
        w = W[head + tuple(slice(k0, None, s) for (_, _, k0, _, _), s in zip(phase, stride))]
        y[head + tuple(slice(r, None, s) for (r, *_), s in zip(phase, stride))] = conv_forward(
            xs, _flipped_filters(w, groups), (1,) * nd, tuple(max(0, left) for *_, left in phase),
            (1,) * nd, groups, tuple(m for _, m, _, _, _ in phase))
    return y


def _flipped_conv_pad(x_shape, W_shape, stride, pad, dilate, groups: int, out_dims):
    """(NumPy) The padding with which a deconvolution of stride 1 (the input gradient
    of a convolution of stride 1) runs faster as the convolution of ``x`` with the
    flipped filters (:func:`_flipped_filters`); None where it does not.

    That convolution copies a patch matrix of ``x`` and multiplies it in one product
    with a long inner sum, instead of writing a ``prod(ksize)`` times larger matrix
    to fold back with ``col2im``. It pays where it does no more multiplications (no
    more output than input pixels) and has at least as many output as input channels
    per group (1.1 to 2.5 times faster; with fewer, the deconvolution's product wins).
    """
    ksize = W_shape[2:]
    if (any(s != 1 for s in stride) or W_shape[1] < W_shape[0] // groups
            or array_utils.size_of_shape(out_dims) > array_utils.size_of_shape(x_shape[2:])):
        return None
    conv_pad = tuple((k - 1) * dl - p for k, dl, p in zip(ksize, dilate, pad))
    if any(p < 0 for p in conv_pad) or any(
            d + (k - 1) * dl - 2 * p != o
            for d, k, dl, p, o in zip(x_shape[2:], ksize, dilate, pad, out_dims)):
        return None
    return conv_pad


def _flipped_filters(W, groups: int):
    """The convolution filters ``(out_c, in_c // groups, *k)`` of the deconvolution filters
    ``W`` ``(in_c, out_c // groups, *k)``: channels swapped within each group, kernel
    reversed along every axis."""
    xp = backend.get_array_module(W)
    in_c, ocg = W.shape[:2]
    ksize = W.shape[2:]
    w = W.reshape((groups, in_c // groups, ocg) + ksize).swapaxes(1, 2)
    w = w[(Ellipsis,) + (slice(None, None, -1),) * len(ksize)]
    return xp.ascontiguousarray(w).reshape((ocg * groups, in_c // groups) + ksize)


#: Patch matrices of a deconvolution (the input gradient of a convolution) from this
#: many elements on, summed over at most ``_CHANNEL_LAST_MAX_INNER`` input channels,
#: are built in the channel-last layout on NumPy: OpenBLAS writes such a large
#: product with few inner terms about twice as fast in that layout, which pays for
#: the strided sums and the final transpose (measured: 1.1 to 1.6 times faster).
_CHANNEL_LAST_MIN = 1 << 22
_CHANNEL_LAST_MAX_INNER = 32


def _deconv_channel_last(x, W, stride, pad, dilate, out_dims):
    """:func:`deconv_forward` of one group with the patch matrix laid out
    ``(*in_dims, n, *k, out_c)`` and summed into a ``(*out_dims, n, out_c)`` image."""
    xp = backend.get_array_module(x)
    nd = len(out_dims)
    n, in_c = x.shape[:2]
    ksize = W.shape[2:]
    in_dims = x.shape[2:]
    w = xp.ascontiguousarray(xp.moveaxis(W, 1, -1)).reshape(in_c, -1)
    col = (_batch_last(x).reshape(in_c, -1).T @ w).reshape(
        tuple(in_dims) + (n,) + tuple(ksize) + (W.shape[1],))
    full = _padded_dims(out_dims, ksize, stride, pad, dilate, in_dims)
    img = xp.zeros(full + (n, W.shape[1]), dtype=col.dtype)
    _add_windows(img, 0, col, nd + 1, ksize, stride, dilate, in_dims)
    crop = tuple(slice(p, p + d) for p, d in zip(pad, out_dims))
    pixels, lanes = array_utils.size_of_shape(full), n * W.shape[1]
    if pixels < lanes:
        return xp.ascontiguousarray(xp.moveaxis(img[crop], (nd, nd + 1), (0, 1)))
    # Many pixels: the blocked transpose of the whole image, then the crop, copy
    # 1.2 to 2.5 times faster than NumPy's transposing copy of the cropped view.
    img = array_utils.last_axis_first(img.reshape(pixels, lanes))
    img = img.reshape((n, W.shape[1]) + full)
    return xp.ascontiguousarray(img[(slice(None), slice(None)) + crop])


def _add_bias(y, b):
    y += b.reshape((1, -1) + (1,) * (y.ndim - 2)).astype(y.dtype, copy=False)
    return y


def _sum_bias_grad(gy):
    from chainer.functions.math.sum import sum as _sum
    return _sum(gy, axis=(0,) + tuple(range(2, gy.ndim)))


def _cast_like(v, dtype):
    if v.dtype == dtype:
        return v
    from chainer.functions.array.cast import cast
    return cast(v, dtype)


def _check_args(stride, pad, dilate, groups) -> None:
    if any(s <= 0 for s in stride):
        raise _ValueAssertionError(f'stride must be positive, got {stride}')
    if any(p < 0 for p in pad):
        raise _ValueAssertionError(f'pad must be non-negative, got {pad}')
    if any(d <= 0 for d in dilate):
        raise _ValueAssertionError(f'dilate must be positive, got {dilate}')
    if groups <= 0:
        raise _ValueAssertionError(f'groups must be positive, got {groups}')


def _check_conv_types(in_types, ndim: int, groups: int, deconv: bool,
                      bias_of_x_dtype: bool) -> None:
    x_type, w_type, b_type = type_check._expect_x_w_b(in_types, named=False)
    type_check.expect(
        x_type.dtype.kind == 'f',
        w_type.dtype.kind == 'f',
        x_type.ndim == ndim + 2,
        w_type.ndim == ndim + 2,
    )
    # channel mismatches: NumPy's ValueError in Chainer's N-d convolution, which did not
    # check them
    unchecked = not deconv and not bias_of_x_dtype
    if groups != 1 and not bias_of_x_dtype:
        # a groups that does not divide the channels: the TypeError Chainer's N-d
        # (de)convolution raised after its type check
        with type_check._failing_as(type_check._InvalidTypeError):
            if deconv:
                type_check.expect(x_type.shape[1] % groups == 0)
            else:
                type_check.expect(x_type.shape[1] % groups == 0,
                                  w_type.shape[0] % groups == 0)
    with (type_check._failing_as(type_check._InvalidValue) if unchecked
          else contextlib.nullcontext()):
        if deconv:
            type_check.expect(x_type.shape[1] == w_type.shape[0])
            # the 2-d deconvolution's NumPy reshape failed with ValueError
            with type_check._failing_as(type_check._InvalidValue):
                type_check.expect(w_type.shape[0] % groups == 0)
            out_c = w_type.shape[1] * groups
        else:
            type_check.expect(x_type.shape[1] == w_type.shape[1] * groups,
                              w_type.shape[0] % groups == 0)
            out_c = w_type.shape[0]
    if b_type is not None:
        # Chainer's checks of b (a length it did not check for deconvolutions: NumPy's
        # ValueError there)
        if bias_of_x_dtype:
            type_check.expect(b_type.dtype == x_type.dtype, b_type.ndim == 1)
        else:
            type_check.expect(b_type.dtype.kind == 'f', b_type.ndim == 1)
        if deconv:
            with type_check._failing_as(type_check._InvalidValue):
                type_check.expect(b_type.shape[0] == out_c)
        else:
            type_check.expect(b_type.shape[0] == out_c)


# ----------------------------------------------------------------------------
# Function nodes
# ----------------------------------------------------------------------------

def _node(transposed: bool, ndim: int, stride, pad, dilate, groups: int, out_dims):
    """A convolution (or, ``transposed``, a deconvolution) with a fixed output size."""
    if transposed:
        return DeconvolutionND(ndim, stride, pad, out_dims, dilate, groups)
    return ConvolutionND(ndim, stride, pad, dilate=dilate, groups=groups, out_dims=out_dims)


class _ConvolutionNodeBase(function_node.FunctionNode):
    """Forward and backward shared by convolutions and deconvolutions, which are each
    other's transposes: the input gradient of one is the other, and both take their
    weight gradient from :class:`ConvolutionNDGradW` (with ``x`` and ``gy`` swapped for
    deconvolutions)."""

    _transposed = False
    # Chainer's 2-D functions require b of x's dtype; its N-D ones cast b (and its
    # gradient) like W.
    _bias_of_x_dtype = False

    def _set_args(self, ndim: int, stride, pad, dilate, groups) -> None:
        self.ndim = ndim
        self.stride = conv_nd.as_tuple(stride, ndim)
        self.pad = conv_nd.as_tuple(pad, ndim)
        self.dilate = conv_nd.as_tuple(dilate, ndim)
        self.groups = argument._int_like(groups, 'groups')
        _check_args(self.stride, self.pad, self.dilate, self.groups)

    def _output_dims(self, in_dims, ksize) -> tuple:
        raise NotImplementedError

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        self._b_dtype = None if b is None else b.dtype
        if b is not None and b.dtype != x.dtype:
            b = b.astype(x.dtype)
        out_dims = self._output_dims(x.shape[2:], W.shape[2:])
        if not self._transposed:
            return conv_forward(x, W, self.stride, self.pad, self.dilate, self.groups,
                                out_dims, b),
        self.outs = tuple(out_dims)  # the size used, where outsize left it open
        y = deconv_forward(x, W, self.stride, self.pad, self.dilate, self.groups, out_dims)
        y = y.astype(x.dtype, copy=False)
        return (y if b is None else _add_bias(y, b)),

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        ret = []
        if 0 in indexes:
            gx, = _node(not self._transposed, self.ndim, self.stride, self.pad, self.dilate,
                        self.groups, x.shape[2:]).apply((gy, W))
            ret.append(_cast_like(gx, x.dtype))
        if 1 in indexes:
            gW, = ConvolutionNDGradW(W.shape[2:], self.stride, self.pad, self.dilate,
                                     self.groups, W.dtype).apply(
                (gy, x) if self._transposed else (x, gy))
            ret.append(gW)
        if 2 in indexes:
            ret.append(_cast_like(_sum_bias_grad(gy), self._b_dtype))
        return tuple(ret)


class ConvolutionND(_ConvolutionNodeBase):
    """N-dimensional convolution of ``x`` ``(n, c, *dims)`` with ``W`` ``(out_c, c // groups, *k)``.

    ``out_dims`` (keyword only) fixes the output size instead of deriving it from
    ``cover_all``; gradients of deconvolutions use it.
    """

    def __init__(self, ndim: int, stride=1, pad=0, cover_all: bool = False, dilate=1,
                 groups: int = 1, *, out_dims: Optional[Sequence[int]] = None) -> None:
        self._set_args(ndim, stride, pad, dilate, groups)
        self.cover_all = cover_all
        self.out_dims = None if out_dims is None else tuple(out_dims)

    def check_type_forward(self, in_types):
        _check_conv_types(in_types, self.ndim, self.groups, deconv=False,
                          bias_of_x_dtype=self._bias_of_x_dtype)
        if self.out_dims is None:
            x_type, w_type = in_types[:2]
            self._output_dims(
                [type_check.eval(x_type.shape[2 + i]) for i in range(self.ndim)],
                [type_check.eval(w_type.shape[2 + i]) for i in range(self.ndim)])

    def _output_dims(self, in_dims, ksize) -> tuple:
        return self.out_dims or conv._positive_out_dims(in_dims, ksize, self.stride, self.pad,
                                                        self.cover_all, self.dilate)


class ConvolutionNDGradW(function_node.FunctionNode):
    """The weight gradient of :class:`ConvolutionND`: ``(x, gy) -> gW``."""

    def __init__(self, ksize, stride, pad, dilate, groups: int, W_dtype) -> None:
        self.ksize = tuple(ksize)
        self.ndim = len(self.ksize)
        self.stride = tuple(stride)
        self.pad = tuple(pad)
        self.dilate = tuple(dilate)
        self.groups = groups
        self.W_dtype = numpy.dtype(W_dtype)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        gW = conv_grad_weight(x, gy, self.ksize, self.stride, self.pad, self.dilate,
                              self.groups)
        return gW.astype(self.W_dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggW, = grad_outputs
        ret = []
        if 0 in indexes:
            gx, = _node(True, self.ndim, self.stride, self.pad, self.dilate, self.groups,
                        x.shape[2:]).apply((gy, ggW))
            ret.append(_cast_like(gx, x.dtype))
        if 1 in indexes:
            ggy, = _node(False, self.ndim, self.stride, self.pad, self.dilate, self.groups,
                         gy.shape[2:]).apply((x, ggW))
            ret.append(_cast_like(ggy, gy.dtype))
        return tuple(ret)


class DeconvolutionND(_ConvolutionNodeBase):
    """N-dimensional deconvolution (transposed convolution) of ``x`` ``(n, c, *dims)``
    with ``W`` ``(c, out_c // groups, *k)``."""

    _transposed = True
    cover_all = False

    def __init__(self, ndim: int, stride=1, pad=0, outsize=None, dilate=1,
                 groups: int = 1) -> None:
        self._set_args(ndim, stride, pad, dilate, groups)
        if (outsize is not None and hasattr(outsize, '__getitem__')
                and not isinstance(outsize, str) and None in outsize):
            # e.g. (None, None) or (None, 12): None axes take the default size
            if len(outsize) != ndim:
                raise ValueError(f'expected a tuple of length {ndim}, got {tuple(outsize)}')
            self.outs = tuple(None if o is None else int(o) for o in outsize)
        else:
            self.outs = None if outsize is None else conv_nd.as_tuple(outsize, ndim)

    def check_type_forward(self, in_types):
        _check_conv_types(in_types, self.ndim, self.groups, deconv=True,
                          bias_of_x_dtype=self._bias_of_x_dtype)
        x_type, w_type = in_types[:2]
        in_dims = [type_check.eval(x_type.shape[2 + i]) for i in range(self.ndim)]
        ksize = [type_check.eval(w_type.shape[2 + i]) for i in range(self.ndim)]
        self._output_dims(in_dims, ksize)
        if self.outs is not None:
            # Chainer's check: the input lengths a convolution of the outsize gives
            for i, (o, s, p, dl) in enumerate(zip(self.outs, self.stride, self.pad,
                                                  self.dilate)):
                if o is None:
                    continue
                k, n = w_type.shape[2 + i], x_type.shape[2 + i]
                type_check.expect(conv.get_conv_outsize(o, k, s, p, d=dl) <= n,
                                  n <= conv.get_conv_outsize(o, k, s, p, True, dl))

    def _output_dims(self, in_dims, ksize) -> tuple:
        # An axis whose outsize is None (e.g. ``outsize=(None, None)``) takes the
        # default deconvolution size.
        # Checked here, not only in check_type_forward: with type checks off
        # Chainer's forward still asserted a positive default size.  An outsize of 0
        # given (that Chainer's check of the input length lets through) is an empty
        # output, as Chainer computed it.
        outs = self.outs or (None,) * self.ndim
        out_dims = tuple(o if o is not None else conv.get_deconv_outsize(d, k, s, p, d=dl)
                         for o, d, k, s, p, dl in
                         zip(outs, in_dims, ksize, self.stride, self.pad, self.dilate))
        if any(o < 0 or (o == 0 and given is None) for o, given in zip(out_dims, outs)):
            raise type_check._InvalidOutputSize('positive output size', f'output size {out_dims}')
        return out_dims


# ----------------------------------------------------------------------------
# Public functions
# ----------------------------------------------------------------------------

def _inputs(x, W, b) -> tuple:
    return (x, W) if b is None else (x, W, b)


def convolution_nd(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                   stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                   cover_all: bool = False, dilate: int | Sequence[int] = 1,
                   groups: int = 1) -> Variable:
    """N-dimensional convolution.

    Args:
        x: Input of shape ``(n, c_in, d_1, ..., d_N)``.
        W: Filter of shape ``(c_out, c_in // groups, k_1, ..., k_N)``.
        b: Bias of shape ``(c_out,)`` or None.
        stride, pad, dilate: An int or an N-tuple.
        cover_all: Add output pixels so that every input pixel is covered.
        groups: Split the channels into this many independent groups.

    Returns:
        ~chainer.Variable of shape ``(n, c_out, o_1, ..., o_N)``.
    """
    ndim = len(x.shape[2:])
    func = ConvolutionND(ndim, stride, pad, cover_all, dilate, groups)
    y, = func.apply(_inputs(x, W, b))
    return y


def convolution_1d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                   stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                   cover_all: bool = False, dilate: int | Sequence[int] = 1,
                   groups: int = 1) -> Variable:
    """1-dimensional convolution (:func:`convolution_nd` for inputs ``(n, c, w)``)."""
    conv_nd.check_spatial_ndim(x, 1)
    return convolution_nd(x, W, b, stride, pad, cover_all, dilate, groups)


def convolution_3d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                   stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                   cover_all: bool = False, dilate: int | Sequence[int] = 1,
                   groups: int = 1) -> Variable:
    """3-dimensional convolution (:func:`convolution_nd` for inputs ``(n, c, d, h, w)``)."""
    conv_nd.check_spatial_ndim(x, 3)
    return convolution_nd(x, W, b, stride, pad, cover_all, dilate, groups)
