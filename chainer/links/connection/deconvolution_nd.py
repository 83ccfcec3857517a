"""N-dimensional deconvolution links (DeconvolutionND, Deconvolution1D, Deconvolution3D)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from chainer import variable
from chainer.functions.connection import deconvolution_nd as _deconv_nd_func
from chainer.links.connection.convolution_nd import _ConvolutionLinkBase

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


class DeconvolutionND(_ConvolutionLinkBase):
    """N-dimensional deconvolution (transposed convolution) layer.

    Args:
        ndim: Number of spatial axes.
        in_channels: Input channels (None: read from the first input).
        out_channels: Output channels.
        ksize: Filter size; ``DeconvolutionND(ndim, out_channels, ksize)`` also works.
        stride, pad, dilate: Int or ``ndim``-tuple.
        nobias: No bias if True.
        outsize: Spatial output size (None: the deconvolution formula).
        initialW, initial_bias: Initializers.
        groups: Number of channel groups.

    Attributes:
        W (~chainer.Parameter): ``(in_channels, out_channels // groups, *ksize)``.
        b (~chainer.Parameter): ``(out_channels,)`` or None.
    """

    _transposed = True
    _node_label = 'DeconvolutionND'

    def __init__(self, ndim: int, in_channels: Optional[int], out_channels: int,
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 pad: int | Sequence[int] = 0, nobias: bool = False,
                 outsize: int | Sequence[int] | None = None,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, dilate: int | Sequence[int] = 1,
                 groups: int = 1) -> None:
        super().__init__()
        self.outsize = outsize
        self._setup_nd(ndim, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                       initial_bias, dilate, groups)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the deconvolution to ``x`` of shape ``(n, c, *dims)``."""
        self._prepare_nd(x)
        return _deconv_nd_func.deconvolution_nd(x, self.W, self.b, self.stride, self.pad,
                                                self.outsize, self.dilate, self.groups)


class Deconvolution1D(DeconvolutionND):
    """1-dimensional deconvolution layer (:class:`DeconvolutionND` with ``ndim=1``)."""

    def __init__(self, in_channels: Optional[int], out_channels: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                 nobias: bool = False, outsize: int | Sequence[int] | None = None,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, dilate: int | Sequence[int] = 1,
                 groups: int = 1) -> None:
        super().__init__(1, in_channels, out_channels, ksize, stride, pad, nobias, outsize,
                         initialW, initial_bias, dilate, groups)


class Deconvolution3D(DeconvolutionND):
    """3-dimensional deconvolution layer (:class:`DeconvolutionND` with ``ndim=3``)."""

    def __init__(self, in_channels: Optional[int], out_channels: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                 nobias: bool = False, outsize: int | Sequence[int] | None = None,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, dilate: int | Sequence[int] = 1,
                 groups: int = 1) -> None:
        super().__init__(3, in_channels, out_channels, ksize, stride, pad, nobias, outsize,
                         initialW, initial_bias, dilate, groups)
