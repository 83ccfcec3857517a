"""Two-dimensional convolution layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

from chainer import variable
from chainer.functions.connection import convolution_2d as _conv2d
from chainer.links.connection.convolution_nd import _ConvolutionLinkBase, _from_params_args

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


class Convolution2D(_ConvolutionLinkBase):
    """Two-dimensional convolution layer.

    Args:
        in_channels: Input channels (None: read from the first input).
            ``Convolution2D(out_channels, ksize)`` also works.
        out_channels: Output channels.
        ksize: Filter size (int or pair).
        stride, pad: Int or pair.
        nobias: No bias if True.
        initialW, initial_bias: Initializers (default LeCunNormal and 0).
        dilate (int or pair): Filter dilation (keyword only).
        groups (int): Number of channel groups (keyword only).

    Attributes:
        W (~chainer.Parameter): ``(out_channels, in_channels // groups, kh, kw)``.
        b (~chainer.Parameter): ``(out_channels,)`` or None.
        in_channels: The ``in_channels`` given (None when read from the input).
        stride, pad, dilate: Pairs.
    """

    _node_label = 'Convolution2DFunction'

    _pairs = True
    # Chainer's cuDNN channel-last mode and its memory layout: never on here.
    cudnn_fast = False
    x_layout = None

    def __init__(self, in_channels: Optional[int], out_channels: Optional[int],
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 pad: int | Sequence[int] = 0, nobias: bool = False,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, **kwargs: Any) -> None:
        super().__init__()
        dilate, groups = _conv2d._parse_2d_kwargs(kwargs)
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self.in_channels = in_channels
        self._setup(2, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                    initial_bias, dilate, groups)

    @property
    def printable_specs(self) -> Iterator[Tuple[str, Any]]:
        yield 'in_channels', self.in_channels
        yield 'out_channels', self.out_channels
        yield 'ksize', self.ksize
        yield 'stride', self.stride
        yield 'pad', self.pad
        yield 'nobias', self.b is None
        yield 'dilate', self.dilate
        yield 'groups', self.groups

    @classmethod
    def from_params(cls, W: VariableOrArray, b: VariableOrArray | None = None,
                    stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                    nobias: bool = False, **kwargs: Any) -> 'Convolution2D':
        """A Convolution2D whose parameters are copies of ``W`` (and ``b``).

        ``W`` has shape ``(out_channels, in_channels // groups, kh, kw)``; with
        ``nobias`` the link has no bias, whether ``b`` is given or not. Takes
        ``dilate`` and ``groups`` as keyword arguments.
        """
        dilate, groups = _conv2d._parse_2d_kwargs(kwargs)
        W, b, in_channels, out_channels, ksize = _from_params_args(W, b, groups)
        if len(ksize) != 2:
            raise ValueError(f'Convolution2D takes a weight of 4 dimensions; got shape '
                             f'{W.shape}')
        return cls(in_channels, out_channels, ksize, stride, pad, nobias, initialW=W,
                   initial_bias=b, dilate=dilate, groups=groups)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the convolution to ``x`` of shape ``(n, c, h, w)``."""
        self._ensure_params(x)
        return _conv2d.convolution_2d(x, self.W, self.b, self.stride, self.pad,
                                      dilate=self.dilate, groups=self.groups)
