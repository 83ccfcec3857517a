"""Locally connected 2-D layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from chainer import initializers
from chainer import function_node
from chainer import link
from chainer import variable
from chainer.functions.connection import local_convolution_2d as _local
from chainer.utils import argument
from chainer.utils import conv
from chainer.utils import conv_nd
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


class LocalConvolution2D(link.Link):
    """Locally connected layer: a separate ``ksize`` filter for every output pixel.

    Args:
        in_channels: Input channels (None: read from the first input).
        out_channels: Output channels.
        in_size: Input ``(h, w)`` (int or pair; None: read from the first input).
        ksize: Filter size (int or pair).
        stride: Int or pair.
        nobias: No bias if True.
        initialW, initial_bias: Initializers.

    Attributes:
        W (~chainer.Parameter): ``(out_channels, out_h, out_w, in_channels, kh, kw)``.
        b (~chainer.Parameter): ``(out_channels, out_h, out_w)`` or None.
    """

    def __init__(self, in_channels: Optional[int], out_channels: int, in_size: int | None = None,
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 nobias: bool = False, initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, **kwargs: Any) -> None:
        super().__init__()
        argument.assert_kwargs_empty(kwargs)
        if ksize is None:
            # Chainer accepted this and failed at the first call with a TypeError.
            raise TypeError('LocalConvolution2D needs ksize (the filter size); it has no default')
        self.ksize = ksize  # as given, as Chainer keeps it
        self.stride = conv_nd.as_tuple(stride, 2)
        self.out_channels = out_channels
        self.nobias = nobias
        with self.init_scope():
            self.W = variable.Parameter(initializers._get_initializer(initialW))
            self.b = None if nobias else variable.Parameter(
                initializers._get_bias_initializer(initial_bias))
            if in_channels is not None and in_size is not None:
                self._initialize_params(in_channels, conv_nd.as_tuple(in_size, 2))

    def _initialize_params(self, in_channels: int, in_size) -> None:
        ksize = conv_nd.as_tuple(self.ksize, 2)
        out_h, out_w = (conv.get_conv_outsize(in_size[i], ksize[i], self.stride[i], 0)
                        for i in range(2))
        self.W.initialize((self.out_channels, out_h, out_w, in_channels) + ksize)
        if self.b is not None:
            self.b.initialize((self.out_channels, out_h, out_w))

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the layer to ``x`` of shape ``(n, c, h, w)``."""
        if self.W.array is None:
            function_node._check_input(x)
            with type_check._checking('LocalConvolution2DFunction', (x,), ('x',)) as (x_type,):
                type_check.expect(x_type.ndim == 4)
            self._initialize_params(x.shape[1], x.shape[2:])
        return _local.local_convolution_2d(x, self.W, self.b, self.stride)
