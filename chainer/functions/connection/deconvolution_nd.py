"""N-dimensional deconvolution (transposed convolution)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.connection.convolution_nd import DeconvolutionND
from chainer.utils import conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['DeconvolutionND', 'deconvolution_nd', 'deconvolution_1d', 'deconvolution_3d']


def deconvolution_nd(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                     stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                     outsize: int | Sequence[int] | None = None, dilate: int | Sequence[int] = 1,
                     groups: int = 1) -> Variable:
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


def deconvolution_1d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                     stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                     outsize: int | Sequence[int] | None = None, dilate: int | Sequence[int] = 1,
                     groups: int = 1) -> Variable:
    """1-dimensional deconvolution (:func:`deconvolution_nd` for inputs ``(n, c, w)``)."""
    conv_nd.check_spatial_ndim(x, 1)
    return deconvolution_nd(x, W, b, stride, pad, outsize, dilate, groups)


def deconvolution_3d(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                     stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                     outsize: int | Sequence[int] | None = None, dilate: int | Sequence[int] = 1,
                     groups: int = 1) -> Variable:
    """3-dimensional deconvolution (:func:`deconvolution_nd` for ``(n, c, d, h, w)``)."""
    conv_nd.check_spatial_ndim(x, 3)
    return deconvolution_nd(x, W, b, stride, pad, outsize, dilate, groups)
