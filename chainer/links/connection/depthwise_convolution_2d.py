"""Two-dimensional depthwise convolution layer."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.connection import depthwise_convolution_2d as _depthwise
from chainer.utils import conv_nd

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


class DepthwiseConvolution2D(link.Link):
    """Depthwise convolution: ``channel_multiplier`` filters per input channel.

    Args:
        in_channels: Input channels (None: read from the first input).
        channel_multiplier: Filters per input channel.
        ksize, stride, pad: Int or pair.
        nobias: No bias if True.
        initialW, initial_bias: Initializers.

    Attributes:
        W (~chainer.Parameter): ``(channel_multiplier, in_channels, kh, kw)``.
        b (~chainer.Parameter): ``(channel_multiplier * in_channels,)`` or None.
    """

    def __init__(self, in_channels: int | None, channel_multiplier: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                 nobias: bool = False, initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None) -> None:
        super().__init__()
        # Like Chainer: ksize as given, stride and pad as pairs.
        self.ksize = ksize
        self.stride = conv_nd.as_tuple(stride, 2)
        self.pad = conv_nd.as_tuple(pad, 2)
        self.channel_multiplier = channel_multiplier
        self.nobias = nobias
        self._bias_initializer = initializers._get_bias_initializer(initial_bias)
        with self.init_scope():
            self.W = variable.Parameter(initializers._get_initializer(initialW))
            self.b = None if nobias else variable.Parameter(self._bias_initializer)
            if in_channels is not None:
                self._initialize_params(in_channels)

    def _initialize_params(self, in_channels: int) -> None:
        ksize = conv_nd.as_tuple(self.ksize, 2)
        self.W.initialize((self.channel_multiplier, in_channels) + ksize)
        if self.b is not None:
            self.b.initialize((self.channel_multiplier * in_channels,))

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the depthwise convolution to ``x`` of shape ``(n, c, h, w)``."""
        if self.W.array is None:
            self._initialize_params(x.shape[1])
        return _depthwise.depthwise_convolution_2d(x, self.W, self.b, self.stride, self.pad)
