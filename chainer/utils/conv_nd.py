"""N-dimensional patch extraction (im2col) and its adjoint (col2im).

``col`` arrays have the shape ``(n, c, k_1, ..., k_N, out_1, ..., out_N)``:
entry ``col[b, ch, j_1, ..., j_N, o_1, ..., o_N]`` is the input pixel at
``o_i * s_i + j_i * d_i - p_i`` along each spatial axis (``pval`` outside the
image).  These functions work on NumPy and CuPy arrays alike.
"""
from __future__ import annotations

import itertools
import operator
from typing import Any, Optional, Sequence

import numpy

from chainer import backend
from chainer.utils.conv import get_conv_outsize
from chainer.utils.error import _repr, _ValueAssertionError

__all__ = ['as_tuple', 'get_conv_outsize', 'im2col_nd', 'im2col_nd_cpu', 'im2col_nd_gpu',
           'col2im_nd', 'col2im_nd_cpu', 'col2im_nd_gpu', 'patches']


def _item(v: Optional[Sequence[int]], i: int) -> Optional[int]:
    return None if v is None else v[i]


def _pair_item(name: str, i: int) -> property:
    return property(lambda self: _item(getattr(self, name), i),
                    doc=f"``{name}[{i}]`` under the name Chainer's 2-D nodes used.")


class _Names2D:
    """Chainer's 2-D convolution and pooling nodes kept their geometry in
    per-axis attributes: ``sy``/``sx`` (stride), ``ph``/``pw`` (pad), ``kh``/``kw``
    (window), ``dy``/``dx`` (dilation), ``outh``/``outw`` (output size).  Code that
    inspects graphs (cost estimators, exporters, hooks) reads them, so our 2-D nodes
    expose them as read-only views of their N-d tuples; ``_out_name`` names the
    tuple that ``outh``/``outw`` read."""

    _out_name = 'outs'
    sy, sx = _pair_item('stride', 0), _pair_item('stride', 1)
    ph, pw = _pair_item('pad', 0), _pair_item('pad', 1)
    kh, kw = _pair_item('ksize', 0), _pair_item('ksize', 1)
    dy, dx = _pair_item('dilate', 0), _pair_item('dilate', 1)
    outh = property(lambda self: _item(getattr(self, self._out_name), 0))
    outw = property(lambda self: _item(getattr(self, self._out_name), 1))


def as_tuple(x: Any, n: int) -> tuple:
    """``x`` as an ``n``-tuple of ints (a scalar is repeated).

    A float raises ``TypeError`` rather than being truncated; a sequence of
    another length raises ``ValueError`` (also the ``AssertionError`` Chainer
    raised).
    """
    if not hasattr(x, '__getitem__') or isinstance(x, numpy.generic):
        return (_index(x),) * n
    if len(x) != n:
        raise _ValueAssertionError(f'expected a tuple of length {n}, got {_repr(tuple(x))}')
    return tuple(_index(v) for v in x)


def check_spatial_ndim(x: Any, n: int) -> None:
    """ValueError unless ``x`` has exactly ``n`` axes after (batch, channel), in
    Chainer's words; the 1-D/3-D convolution and pooling wrappers call it."""
    if len(x.shape[2:]) != n:
        raise ValueError('The number of dimensions under channel dimension of the input '
                         f"'x' should be {n}. But the actual ndim was {len(x.shape[2:])}.")


def _index(v: Any) -> int:
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f'expected an integer, got {_repr(v)} ({type(v).__name__})') from None


def _out_dims(dims, ksize, stride, pad, cover_all, dilate, out_dims) -> tuple:
    if out_dims is None:
        out_dims = tuple(get_conv_outsize(d, k, s, p, cover_all, dl)
                         for d, k, s, p, dl in zip(dims, ksize, stride, pad, dilate))
    if any(o <= 0 for o in out_dims):
        raise AssertionError('Output sizes should be positive.')
    return tuple(out_dims)


def check_windows_fit(what: str, ksize, stride, pad, dilate, dims, out_dims,
                      axes: Sequence[str] | None = None) -> None:
    """Raises ``ValueError`` unless each stride is positive and every one of
    ``out_dims`` windows along each axis lies within the padded image (its size
    plus ``stride - 1``, ``cover_all``'s margin)."""
    for i, (k, s, p, dl, d, o) in enumerate(zip(ksize, stride, pad, dilate, dims, out_dims)):
        axis = axes[i] if axes else f'axis {i}'
        if s < 1:
            raise ValueError(f'{what}: the stride along the {axis} must be positive, got {s}')
        if (k - 1) * dl + s * (o - 1) > d + 2 * p + s - 2:
            raise ValueError(
                f'{what}: {o} output positions along the {axis} do not fit an image of '
                f'size {d} (kernel {k}, stride {s}, pad {p}, dilation {dl})')


def patches(img: Any, ksize: Sequence[int], stride: Sequence[int], pad: Sequence[int],
            dilate: Sequence[int], out_dims: Sequence[int], pval: Any = 0) -> Any:
    """A read-only strided view ``(n, c, *ksize, *out_dims)`` of the padded ``img``.

    No patch is copied: the view reads a padded copy of ``img`` whose far edge is
    extended so that every window (including ``cover_all`` ones) stays in bounds.
    """
    xp = backend.get_array_module(img)
    n, c = img.shape[:2]
    dims = img.shape[2:]
    widths = [(0, 0), (0, 0)]
    for d, k, s, p, dl, o in zip(dims, ksize, stride, pad, dilate, out_dims):
        need = (o - 1) * s + (k - 1) * dl + 1
        widths.append((p, max(p, need - d - p)))
    if any(w != (0, 0) for w in widths):
        img = xp.pad(img, widths, mode='constant', constant_values=pval)
    st = img.strides
    strides = st[:2] + tuple(a * dl for a, dl in zip(st[2:], dilate)) + tuple(
        a * s for a, s in zip(st[2:], stride))
    shape = (n, c) + tuple(ksize) + tuple(out_dims)
    return xp.lib.stride_tricks.as_strided(img, shape=shape, strides=strides)


def im2col_nd(img: Any, ksize, stride, pad, cover_all: bool = False, dilate=1,
              pval: Any = 0, out_dims: Optional[Sequence[int]] = None) -> Any:
    """Copies the patches of the ``(n, c, *dims)`` image ``img`` into a ``col`` array."""
    xp = backend.get_array_module(img)
    nd = img.ndim - 2
    ksize, stride, pad, dilate = (as_tuple(v, nd) for v in (ksize, stride, pad, dilate))
    if min(dilate) < 0:
        # the strided view would read before the image (Chainer's padding failed to
        # broadcast: ValueError)
        raise ValueError(f'im2col: dilate must not be negative, got {dilate}')
    out_dims = _out_dims(img.shape[2:], ksize, stride, pad, cover_all, dilate, out_dims)
    col = patches(img, ksize, stride, pad, dilate, out_dims, pval)
    if col.flags.c_contiguous and col.base is not None:
        # a contiguous view, of img itself for 1x1 or whole-image windows: col
        # is new memory, as in Chainer, so writing into it leaves img alone
        return col.copy()
    return xp.ascontiguousarray(col)


def col2im_nd(col: Any, stride, pad, dims: Sequence[int], dilate=1,
              axes: Sequence[str] | None = None) -> Any:
    """Sums the patches ``col`` back into an image of spatial shape ``dims``.

    The adjoint of :func:`im2col_nd`: overlapping patches add up and the parts of
    windows that fall into the padding are dropped. A ``col`` with more output
    positions than the image has (with ``cover_all``'s margin) is a ``ValueError``.
    """
    xp = backend.get_array_module(col)
    nd = len(dims)
    if col.ndim != 2 + 2 * nd:
        raise _ValueAssertionError(
            f'col2im: col of shape {col.shape} does not hold (n, c, kernel..., '
            f'out...) for an image of {nd} spatial dimensions')
    stride, pad, dilate = (as_tuple(v, nd) for v in (stride, pad, dilate))
    n, c = col.shape[:2]
    ksize = col.shape[2:2 + nd]
    out_dims = col.shape[2 + nd:]
    check_windows_fit('col2im', ksize, stride, pad, dilate, dims, out_dims, axes)
    full = []
    for d, k, s, p, dl, o in zip(dims, ksize, stride, pad, dilate, out_dims):
        full.append(max(d + 2 * p, (o - 1) * s + (k - 1) * dl + 1))
    img = xp.zeros((n, c) + tuple(full), dtype=col.dtype)
    # One strided add per kernel offset: the loop runs over the (small) kernel,
    # never over pixels, channels or the batch.
    for kidx in itertools.product(*(range(k) for k in ksize)):
        sl = tuple(slice(j * dl, j * dl + s * (o - 1) + 1, s)
                   for j, dl, s, o in zip(kidx, dilate, stride, out_dims))
        img[(slice(None), slice(None)) + sl] += col[(slice(None), slice(None)) + kidx]
    crop = tuple(slice(p, p + d) for p, d in zip(pad, dims))
    return img[(slice(None), slice(None)) + crop]


def im2col_nd_cpu(img, ksize, stride, pad, pval=0, cover_all: bool = False, dilate=1):
    """:func:`im2col_nd` for NumPy arrays; pixels outside the image read ``pval``."""
    return im2col_nd(img, ksize, stride, pad, cover_all, dilate, pval)


def im2col_nd_gpu(img, ksize, stride, pad, cover_all: bool = False, dilate=1):
    """:func:`im2col_nd` for CuPy arrays."""
    return im2col_nd(img, ksize, stride, pad, cover_all, dilate)


def col2im_nd_cpu(col, stride, pad, dims, dilate=1):
    """:func:`col2im_nd` for NumPy arrays."""
    return col2im_nd(col, stride, pad, dims, dilate)


def col2im_nd_gpu(col, stride, pad, dims, dilate=1):
    """:func:`col2im_nd` for CuPy arrays."""
    return col2im_nd(col, stride, pad, dims, dilate)
