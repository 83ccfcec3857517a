"""im2col / col2im: the patch extraction behind 2-D convolutions and ``F.im2col``.

``col`` arrays have the shape ``(n, c, kh, kw, out_h, out_w)``: entry
``col[b, ch, j, i, y, x]`` is the input pixel at row ``y * sy + j * dy - ph``
and column ``x * sx + i * dx - pw`` (``pval`` where that is outside the image).
"""
from __future__ import annotations

from typing import Any


from chainer import backend
from chainer.utils import get_conv_outsize, get_deconv_outsize

__all__ = ['get_conv_outsize', 'get_deconv_outsize', 'im2col_cpu', 'im2col_gpu',
           'col2im_cpu', 'col2im_gpu']


def _output_sizes(h: int, w: int, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int,
                  cover_all: bool, dy: int, dx: int, out_h, out_w) -> tuple:
    if out_h is None:
        out_h = get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    if out_h <= 0:
        raise AssertionError('Height in the output should be positive.')
    if out_w is None:
        out_w = get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    if out_w <= 0:
        raise AssertionError('Width in the output should be positive.')
    return out_h, out_w


def _im2col(img: Any, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int, pval: Any,
            cover_all: bool, dy: int, dx: int, out_h, out_w) -> Any:
    xp = backend.get_array_module(img)
    n, c, h, w = img.shape
    out_h, out_w = _output_sizes(h, w, kh, kw, sy, sx, ph, pw, cover_all, dy, dx,
                                 out_h, out_w)
    # The extra (stride - 1) rows/columns keep every strided slice in bounds
    # when cover_all lets the last window run past the padded border.
    img = xp.pad(img, ((0, 0), (0, 0), (ph, ph + sy - 1), (pw, pw + sx - 1)),
                 mode='constant', constant_values=(pval,))
    col = xp.empty((n, c, kh, kw, out_h, out_w), dtype=img.dtype)
    for j in range(kh):
        j0 = j * dy
        j1 = j0 + sy * out_h
        for i in range(kw):
            i0 = i * dx
            i1 = i0 + sx * out_w
            col[:, :, j, i, :, :] = img[:, :, j0:j1:sy, i0:i1:sx]
    return col


def _col2im(col: Any, sy: int, sx: int, ph: int, pw: int, h: int, w: int,
            dy: int, dx: int) -> Any:
    xp = backend.get_array_module(col)
    n, c, kh, kw, out_h, out_w = col.shape
    img = xp.zeros((n, c, h + 2 * ph + sy - 1, w + 2 * pw + sx - 1), dtype=col.dtype)
    for j in range(kh):
        j0 = j * dy
        j1 = j0 + sy * out_h
        for i in range(kw):
            i0 = i * dx
            i1 = i0 + sx * out_w
            img[:, :, j0:j1:sy, i0:i1:sx] += col[:, :, j, i]
    return img[:, :, ph:h + ph, pw:w + pw]


def im2col_cpu(img, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int, pval=0,
               cover_all: bool = False, dy: int = 1, dx: int = 1, out_h=None, out_w=None):
    """Extracts the ``kh x kw`` patches of the NCHW NumPy image ``img``.

    Returns an array of shape ``(n, c, kh, kw, out_h, out_w)``; pixels outside
    the image read ``pval``.
    """
    return _im2col(img, kh, kw, sy, sx, ph, pw, pval, cover_all, dy, dx, out_h, out_w)


def im2col_gpu(img, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int,
               cover_all: bool = False, dy: int = 1, dx: int = 1, out_h=None, out_w=None):
    """CuPy version of :func:`im2col_cpu` (padding with zeros)."""
    return _im2col(img, kh, kw, sy, sx, ph, pw, 0, cover_all, dy, dx, out_h, out_w)


def col2im_cpu(col, sy: int, sx: int, ph: int, pw: int, h: int, w: int,
               dy: int = 1, dx: int = 1):
    """Adds the patches ``col`` (as made by :func:`im2col_cpu`) back into an ``h x w`` image.

    The adjoint of :func:`im2col_cpu`: overlapping patches are summed.
    """
    return _col2im(col, sy, sx, ph, pw, h, w, dy, dx)


def col2im_gpu(col, sy: int, sx: int, ph: int, pw: int, h: int, w: int,
               dy: int = 1, dx: int = 1):
    """CuPy version of :func:`col2im_cpu`."""
    return _col2im(col, sy, sx, ph, pw, h, w, dy, dx)


