"""The GoogLeNet Inception module."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import link
from chainer.functions.activation.relu import relu
from chainer.functions.array.concat import concat
from chainer.functions.pooling.max_pooling_nd import max_pooling_2d
from chainer.links.connection.convolution_2d import Convolution2D

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import InitializerSpec, VariableOrArray


class Inception(link.Chain):
    """Inception module: 1x1, 3x3 and 5x5 convolutions and a pooled projection, concatenated.

    Args:
        in_channels: Input channels (None: read from the first input).
        out1: Output channels of the 1x1 branch.
        proj3, out3: 1x1 projection and output channels of the 3x3 branch.
        proj5, out5: 1x1 projection and output channels of the 5x5 branch.
        proj_pool: Output channels of the 1x1 projection after 3x3 max pooling.
        conv_init, bias_init: Initializers of every convolution.

    The output has ``out1 + out3 + out5 + proj_pool`` channels.
    """

    def __init__(self, in_channels: int | None, out1: int, proj3: int, out3: int, proj5: int,
                 out5: int, proj_pool: int, conv_init: InitializerSpec | None = None,
                 bias_init: InitializerSpec | None = None) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, out1, 1, initialW=conv_init,
                                       initial_bias=bias_init)
            self.proj3 = Convolution2D(in_channels, proj3, 1, initialW=conv_init,
                                       initial_bias=bias_init)
            self.conv3 = Convolution2D(proj3, out3, 3, pad=1, initialW=conv_init,
                                       initial_bias=bias_init)
            self.proj5 = Convolution2D(in_channels, proj5, 1, initialW=conv_init,
                                       initial_bias=bias_init)
            self.conv5 = Convolution2D(proj5, out5, 5, pad=2, initialW=conv_init,
                                       initial_bias=bias_init)
            self.projp = Convolution2D(in_channels, proj_pool, 1, initialW=conv_init,
                                       initial_bias=bias_init)

    def forward(self, x: VariableOrArray) -> Variable:
        """Applies the four branches to ``x`` and concatenates them along the channels."""
        out1 = self.conv1(x)
        out3 = self.conv3(relu(self.proj3(x)))
        out5 = self.conv5(relu(self.proj5(x)))
        pool = self.projp(max_pooling_2d(x, 3, stride=1, pad=1))
        return relu(concat((out1, out3, out5, pool), axis=1))
