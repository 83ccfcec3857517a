"""Deformable convolution layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.connection.deformable_convolution_2d_sampler import (
    deformable_convolution_2d_sampler)
from chainer.links.connection.convolution_2d import Convolution2D
from chainer.links.connection.convolution_nd import _ConvolutionLinkBase
from chainer.utils import conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray


class DeformableConvolution2DSampler(_ConvolutionLinkBase):
    """The filter of a deformable convolution, applied at given offsets (its
    weights start at zero unless ``initialW`` is given, as in Chainer)."""

    def __init__(self, in_channels: Optional[int], out_channels: int, ksize, stride=1,
                 pad=0, nobias: bool = False, initialW: Any = None,
                 initial_bias: Any = None) -> None:
        super().__init__()
        if initialW is None:
            initialW = initializers.Zero()
        # Like Chainer, stride and pad are kept as pairs.
        stride, pad = conv_nd.as_tuple(stride, 2), conv_nd.as_tuple(pad, 2)
        self._setup(2, in_channels, out_channels, ksize, stride, pad, True, initialW, None)
        # As in Chainer, the bias is drawn with the filter: at the first call when
        # in_channels is None.
        with self.init_scope():
            self.b = None if nobias else variable.Parameter(
                initializers._get_bias_initializer(initial_bias))
        if in_channels is not None and self.b is not None:
            self.b.initialize(out_channels)

    def _initialize_params(self, in_channels: int) -> None:
        super()._initialize_params(in_channels)
        b = getattr(self, 'b', None)  # not yet registered while _setup runs
        if b is not None and b.array is None:
            b.initialize(self.out_channels)

    def forward(self, x: Any, offset: Any) -> variable.Variable:
        """Convolves ``x`` sampling the filter taps at ``offset``."""
        self._ensure_params(x)
        return deformable_convolution_2d_sampler(x, offset, self.W, self.b, self.stride,
                                                 self.pad)


class DeformableConvolution2D(link.Chain):
    """Deformable convolution: a convolution predicts the tap offsets of a second one.

    Args:
        in_channels: Input channels (None: read from the first input).
        out_channels: Output channels.
        ksize, stride, pad: Int or pair, shared by both convolutions.
        offset_nobias, offset_initialW, offset_initial_bias: Of the offset
            convolution (``2 * kh * kw`` outputs; a Convolution2D's defaults).
        deform_nobias, deform_initialW, deform_initial_bias: Of the deformable one
            (weights start at zero by default, as in Chainer).
    """

    def __init__(self, in_channels: Optional[int], out_channels: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                 offset_nobias: bool = False, offset_initialW: Any = None,
                 offset_initial_bias: Any = None, deform_nobias: bool = False,
                 deform_initialW: Any = None, deform_initial_bias: Any = None) -> None:
        super().__init__()
        kh, kw = conv_nd.as_tuple(ksize, 2)
        with self.init_scope():
            self.offset_conv = Convolution2D(in_channels, 2 * kh * kw, ksize, stride, pad,
                                             offset_nobias, offset_initialW,
                                             offset_initial_bias)
            self.deform_conv = DeformableConvolution2DSampler(
                in_channels, out_channels, ksize, stride, pad, deform_nobias,
                deform_initialW, deform_initial_bias)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Predicts the offsets from ``x`` and applies the deformable convolution."""
        return self.deform_conv(x, self.offset_conv(x))
