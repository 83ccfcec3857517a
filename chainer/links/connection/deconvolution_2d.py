"""Two-dimensional deconvolution layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from chainer import variable
from chainer.functions.connection import convolution_2d as _conv2d
from chainer.functions.connection import deconvolution_2d as _deconv2d
from chainer.links.connection.convolution_nd import _ConvolutionLinkBase

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


class Deconvolution2D(_ConvolutionLinkBase):
    """Two-dimensional deconvolution (transposed convolution) layer.

    Args:
        in_channels: Input channels (None: read from the first input).
            ``Deconvolution2D(out_channels, ksize)`` also works.
        out_channels: Output channels.
        ksize: Filter size (int or pair).
        stride, pad: Int or pair.
        nobias: No bias if True.
        outsize: ``(out_h, out_w)`` or None (the deconvolution formula).
        initialW, initial_bias: Initializers.
        dilate (int or pair): Filter dilation (keyword only).
        groups (int): Number of channel groups (keyword only).

    Attributes:
        W (~chainer.Parameter): ``(in_channels, out_channels // groups, kh, kw)``.
        b (~chainer.Parameter): ``(out_channels,)`` or None.
    """

    _transposed = True
    _node_label = 'Deconvolution2DFunction'
    _pairs = True

    def __init__(self, in_channels: Optional[int], out_channels: Optional[int],
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 pad: int | Sequence[int] = 0, nobias: bool = False,
                 outsize: int | Sequence[int] | None = None,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, **kwargs: Any) -> None:
        super().__init__()
        dilate, groups = _conv2d._parse_2d_kwargs(kwargs)
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.outsize = (None, None) if outsize is None else outsize
        self._setup(2, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                    initial_bias, dilate, groups)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the deconvolution to ``x`` of shape ``(n, c, h, w)``."""
        self._ensure_params(x)
        return _deconv2d.deconvolution_2d(x, self.W, self.b, self.stride, self.pad,
                                          self.outsize, dilate=self.dilate,
                                          groups=self.groups)
