"""Network-in-network style MLP convolution."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence

from chainer import link
from chainer.functions.activation.relu import relu
from chainer.links.connection.convolution_2d import Convolution2D
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import VariableOrArray


class MLPConvolution2D(link.ChainList):
    """A convolution followed by 1x1 convolutions, with an activation between layers.

    Args:
        in_channels: Input channels (None: read from the first input).
        out_channels: Output channels of each layer (a sequence of ints).
        ksize: Filter size of the first convolution; ``stride`` and ``pad`` also
            apply to it only.
        activation: Function applied after every convolution but the last
            (default relu); the link's output is not activated.
        conv_init, bias_init: Initializers of all weights and biases (keyword only).
    """

    def __init__(self, in_channels: Optional[int], out_channels: Sequence[int],
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 pad: int | Sequence[int] = 0, activation: Callable = relu, *args: Any,
                 **kwargs: Any) -> None:
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        if args:
            raise TypeError('MLPConvolution2D takes no extra positional arguments '
                            '(the old positional wscale is gone: pass conv_init and bias_init)')
        conv_init, bias_init = argument.parse_kwargs(
            kwargs, ('conv_init', None), ('bias_init', None),
            wscale='wscale is not supported anymore: pass conv_init and bias_init to scale '
                   'the initial parameters')
        assert len(out_channels) > 0
        convs = [Convolution2D(in_channels, out_channels[0], ksize, stride, pad,
                               initialW=conv_init, initial_bias=bias_init)]
        for n_in, n_out in zip(out_channels, out_channels[1:]):
            convs.append(Convolution2D(n_in, n_out, 1, initialW=conv_init,
                                       initial_bias=bias_init))
        super().__init__(*convs)
        self.activation = activation

    def forward(self, x: VariableOrArray) -> Variable:
        """Applies the convolutions in turn, the activation between them."""
        f = self.activation
        for layer in self[:-1]:
            x = f(layer(x))
        return self[-1](x)
