"""Two-dimensional dilated convolution layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from chainer import variable
from chainer.functions.connection import dilated_convolution_2d as _dilated
from chainer.links.connection.convolution_nd import _ConvolutionLinkBase

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


class DilatedConvolution2D(_ConvolutionLinkBase):
    """Two-dimensional convolution layer with a dilated filter.

    Same parameters as :class:`~chainer.links.Convolution2D` plus ``dilate``;
    ``DilatedConvolution2D(out_channels, ksize)`` also works.
    """

    _node_label = 'Convolution2DFunction'

    _pairs = True

    def __init__(self, in_channels: Optional[int], out_channels: Optional[int],
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 pad: int | Sequence[int] = 0, dilate: int | Sequence[int] = 1,
                 nobias: bool = False, initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None) -> None:
        super().__init__()
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self._setup(2, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                    initial_bias, dilate)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the dilated convolution to ``x`` of shape ``(n, c, h, w)``."""
        self._ensure_params(x)
        return _dilated.dilated_convolution_2d(x, self.W, self.b, self.stride, self.pad,
                                               self.dilate)
