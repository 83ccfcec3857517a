"""2-D im2col / col2im (the patch extraction behind convolutions and ``F.im2col``)
and the output-size formulas of convolutions.

``col`` arrays have the shape ``(n, c, kh, kw, out_h, out_w)``: entry
``col[b, ch, j, i, y, x]`` is the input pixel at row ``y * sy + j * dy - ph``
and column ``x * sx + i * dx - pw`` (``pval`` where that is outside the image).
The N-dimensional kernels live in :mod:`chainer.utils.conv_nd`.
"""
from __future__ import annotations

from typing import Any

from chainer.utils import type_check

__all__ = ['get_conv_outsize', 'get_deconv_outsize', 'im2col', 'im2col_cpu', 'im2col_gpu',
           'col2im', 'col2im_cpu', 'col2im_gpu']


def get_conv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False,
                     d: int = 1) -> int:
    """Output length of a convolution along one axis."""
    dk = k + (k - 1) * (d - 1)
    if cover_all:
        return (size + p * 2 - dk + s - 1) // s + 1
    return (size + p * 2 - dk) // s + 1


def get_deconv_outsize(size: int, k: int, s: int, p: int, cover_all: bool = False,
                       d: int = 1) -> int:
    """Output length of a deconvolution (transposed convolution) along one axis."""
    dk = (k - 1) * d + 1
    if cover_all:
        return s * (size - 1) + dk - s + 1 - 2 * p
    return s * (size - 1) + dk - 2 * p


def _positive_out_dims(in_dims, ksize, stride, pad, cover_all: bool,
                       dilate=None) -> tuple:
    """Output sizes of a convolution or pooling window (``dilate`` None: a pooling);
    ``InvalidType`` naming the arguments when one is not positive."""
    dilations = (1,) * len(in_dims) if dilate is None else dilate
    out = tuple(get_conv_outsize(d, k, s, p, cover_all, dl)
                for d, k, s, p, dl in zip(in_dims, ksize, stride, pad, dilations))
    if any(o <= 0 for o in out):
        dilation = '' if dilate is None else f', dilate {tuple(dilate)}'
        raise type_check._InvalidOutputSize(
            'positive output size',
            f'output size {out} for input size {tuple(in_dims)}, kernel {tuple(ksize)}, '
            f'stride {tuple(stride)}, pad {tuple(pad)}{dilation}')
    return out


def im2col(img: Any, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int,
           cover_all: bool = False, dy: int = 1, dx: int = 1, out_h=None, out_w=None):
    """Extracts the ``kh x kw`` patches of the NCHW image ``img`` (NumPy or CuPy).

    Returns an array of shape ``(n, c, kh, kw, out_h, out_w)``; pixels outside
    the image read 0 (:func:`im2col_cpu` takes another padding value). An
    ``out_h`` or ``out_w`` larger than the padded image holds is a ``ValueError``.
    """
    return _im2col(img, kh, kw, sy, sx, ph, pw, 0, cover_all, dy, dx, out_h, out_w)


def _im2col(img: Any, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int, pval: Any,
            cover_all: bool, dy: int, dx: int, out_h, out_w):
    from chainer.utils import conv_nd

    h, w = img.shape[2:]
    given = out_h is not None or out_w is not None
    if out_h is None:
        out_h = get_conv_outsize(h, kh, sy, ph, cover_all, dy)
    if out_h <= 0:
        raise AssertionError('Height in the output should be positive.')
    if out_w is None:
        out_w = get_conv_outsize(w, kw, sx, pw, cover_all, dx)
    if out_w <= 0:
        raise AssertionError('Width in the output should be positive.')
    if given:
        conv_nd.check_windows_fit('im2col', (kh, kw), (sy, sx), (ph, pw), (dy, dx), (h, w),
                                  (out_h, out_w), ('height', 'width'))
    return conv_nd.im2col_nd(img, (kh, kw), (sy, sx), (ph, pw), dilate=(dy, dx), pval=pval,
                             out_dims=(out_h, out_w))


def col2im(col: Any, sy: int, sx: int, ph: int, pw: int, h: int, w: int,
           dy: int = 1, dx: int = 1):
    """Adds the patches ``col`` (as made by :func:`im2col`) back into an ``h x w`` image.

    The adjoint of :func:`im2col`: overlapping patches are summed. A ``col``
    with more output positions than an ``h x w`` image (with ``cover_all``'s
    margin) has is a ``ValueError``.
    """
    from chainer.utils import conv_nd

    if col.ndim != 6:
        raise ValueError(f'col2im takes a 6-dimensional col (n, c, kh, kw, out_h, out_w), '
                         f'got shape {col.shape}')
    return conv_nd.col2im_nd(col, (sy, sx), (ph, pw), (h, w), (dy, dx),
                             axes=('height', 'width'))


def im2col_cpu(img, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int, pval=0,
               cover_all: bool = False, dy: int = 1, dx: int = 1, out_h=None, out_w=None):
    """:func:`im2col` for NumPy arrays; pixels outside the image read ``pval``."""
    return _im2col(img, kh, kw, sy, sx, ph, pw, pval, cover_all, dy, dx, out_h, out_w)


def im2col_gpu(img, kh: int, kw: int, sy: int, sx: int, ph: int, pw: int,
               cover_all: bool = False, dy: int = 1, dx: int = 1, out_h=None, out_w=None):
    """:func:`im2col` for CuPy arrays (padding with zeros)."""
    return _im2col(img, kh, kw, sy, sx, ph, pw, 0, cover_all, dy, dx, out_h, out_w)


def col2im_cpu(col, sy: int, sx: int, ph: int, pw: int, h: int, w: int,
               dy: int = 1, dx: int = 1):
    """:func:`col2im` for NumPy arrays."""
    return col2im(col, sy, sx, ph, pw, h, w, dy, dx)


def col2im_gpu(col, sy: int, sx: int, ph: int, pw: int, h: int, w: int,
               dy: int = 1, dx: int = 1):
    """:func:`col2im` for CuPy arrays."""
    return col2im(col, sy, sx, ph, pw, h, w, dy, dx)
