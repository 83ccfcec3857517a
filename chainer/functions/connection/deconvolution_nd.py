"""N-dimensional deconvolution (transposed convolution)."""
from __future__ import annotations

from typing import Any

from chainer.functions.connection.convolution_nd import DeconvolutionND, _check_ndim

__all__ = ['DeconvolutionND', 'deconvolution_nd', 'deconvolution_1d', 'deconvolution_3d']


def deconvolution_nd(x: Any, W: Any, b: Any = None, stride=1, pad=0, outsize=None,
                     dilate=1, groups: int = 1):
    """N-dimensional deconvolution: the transpose of :func:`convolution_nd`.

    Args:
        x: Input of shape ``(n, c_in, d_1, ..., d_N)``.
        W: Filter of shape ``(c_in, c_out // groups, k_1, ..., k_N)``.
        b: Bias of shape ``(c_out,)`` or None.
        stride, pad, dilate: An int or an N-tuple.
        outsize: The spatial output size (an N-tuple); by default
            ``s * (d - 1) + (k - 1) * dilate + 1 - 2 * p`` per axis.
        groups: Split the channels into this many independent groups.
    """
    ndim = len(x.shape[2:])
    func = DeconvolutionND(ndim, stride, pad, outsize, dilate, groups)
    y, = func.apply((x, W) if b is None else (x, W, b))
    return y


def deconvolution_1d(x: Any, W: Any, b: Any = None, stride=1, pad=0, outsize=None,
                     dilate=1, groups: int = 1):
    """1-dimensional deconvolution (:func:`deconvolution_nd` for inputs ``(n, c, w)``)."""
    _check_ndim(x, 1)
    return deconvolution_nd(x, W, b, stride, pad, outsize, dilate, groups)


def deconvolution_3d(x: Any, W: Any, b: Any = None, stride=1, pad=0, outsize=None,
                     dilate=1, groups: int = 1):
    """3-dimensional deconvolution (:func:`deconvolution_nd` for ``(n, c, d, h, w)``)."""
    _check_ndim(x, 3)
    return deconvolution_nd(x, W, b, stride, pad, outsize, dilate, groups)
