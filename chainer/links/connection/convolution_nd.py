"""N-dimensional convolution links (ConvolutionND, Convolution1D, Convolution3D) and
the parameter handling shared by every convolution and deconvolution link."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

from chainer import function_node
from chainer import link
from chainer import variable
from chainer.functions.connection import convolution_nd as _conv_nd_func
from chainer.utils import argument
from chainer.links.connection.linear import _add_weight_and_bias
from chainer.utils import conv_nd
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError, _ValueTypeError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import InitializerSpec, VariableOrArray


def _from_params_args(W: Any, b: Any, groups: Any) -> tuple:
    """``(W, b, in_channels, out_channels, ksize)`` of a convolution link built from
    the weight ``W`` (``(out_channels, in_channels // groups, *ksize)``) and bias
    ``b`` (Variables or arrays); the bias must have ``out_channels`` elements."""
    W = variable.as_array(W)
    out_channels, in_per_group, *ksize = W.shape
    if b is not None:
        b = variable.as_array(b)
        if b.size != out_channels:
            raise ValueError('`out_channels` does not match the size of `b`')
    return W, b, in_per_group * int(groups), out_channels, tuple(ksize)


def _channels_error(which: str, channels: Any) -> ValueError:
    """The error for a channel count that the groups do not divide: Chainer's
    ValueError, or for a fractional count (2.5) also the TypeError that Chainer's
    links without groups raised for it."""
    if isinstance(channels, float) and not channels.is_integer():
        return _ValueTypeError(f'the number of {which} channels must be a whole number, '
                               f'got {channels!r}')
    return ValueError(f'the number of {which} channels must be divisible by the number '
                      'of groups')


class _ConvolutionLinkBase(link.Link):
    """Holds ``W`` (created lazily from the input channels when ``in_channels`` is None)
    and ``b`` of a convolution-like link.

    Subclasses set ``_transposed`` (weights laid out ``(in, out // groups, *k)``).
    """

    _transposed = False
    # The function node whose check a wrong input fails (named in its InvalidType)
    _node_label = 'ConvolutionND'
    # The two-dimensional links keep stride, pad and dilate as pairs, as
    # Chainer's attributes do.
    _pairs = False

    def _setup(self, ndim: int, in_channels: Optional[int], out_channels: int, ksize,
               stride, pad, nobias: bool, initialW: Any, initial_bias: Any, dilate=1,
               groups: int = 1) -> None:
        self.ndim = ndim
        self.out_channels = out_channels
        self.ksize = ksize
        if self._pairs:
            stride, pad, dilate = (conv_nd.as_tuple(v, 2) for v in (stride, pad, dilate))
        self.stride = stride
        self.pad = pad
        self.dilate = dilate
        self.groups = int(groups)
        if out_channels % self.groups != 0:
            raise _channels_error('output', out_channels)
        _add_weight_and_bias(self, initialW, in_channels, nobias, initial_bias, out_channels)

    def _initialize_params(self, in_channels: int) -> None:
        if in_channels % self.groups != 0:
            raise _channels_error('input', in_channels)
        ksize = conv_nd.as_tuple(self.ksize, self.ndim)
        if self._transposed:
            shape = (in_channels, self.out_channels // self.groups) + ksize
        else:
            # A whole float channel count (say ``n / 2``) works, as in Chainer.
            shape = (self.out_channels, int(in_channels // self.groups)) + ksize
        self.W.initialize(shape)

    def _ensure_params(self, x: Any) -> None:
        if self.W.array is None:
            function_node._check_input(x)
            # Refuse a wrong input before its channels size the filter: a later
            # call with the right input would otherwise fail on the channels.
            with type_check._checking(self._node_label, (x,), ('x',)) as (x_type,):
                type_check.expect(x_type.ndim == self.ndim + 2)
            self._initialize_params(x.shape[1])

    def _setup_nd(self, ndim: int, in_channels: Optional[int], out_channels: int, ksize,
                  stride, pad, nobias: bool, initialW: Any, initial_bias: Any, dilate,
                  groups: int) -> None:
        """:meth:`_setup` of the N-dimensional links, where ``(ndim, out_channels,
        ksize)`` alone also works; like Chainer, ksize and dilate are kept as
        ndim-tuples, stride and pad as given."""
        if ksize is None:
            out_channels, ksize, in_channels = in_channels, out_channels, None
        self._setup(ndim, in_channels, out_channels, conv_nd.as_tuple(ksize, ndim), stride,
                    pad, nobias, initialW, initial_bias, conv_nd.as_tuple(dilate, ndim),
                    groups)

    def _prepare_nd(self, x: Any) -> None:
        """Refuses an input without ``self.ndim`` spatial axes (the N-dimensional
        links; Chainer's ``assert`` raised AssertionError, so this error is one too),
        then sizes ``W`` from it if it is not yet."""
        if x.ndim != self.ndim + 2:
            raise _ValueAssertionError(
                f'{type(self).__name__} takes inputs of {self.ndim + 2} dimensions '
                f'(batch, channels and {self.ndim} spatial axes); got shape {x.shape}')
        self._ensure_params(x)


class ConvolutionND(_ConvolutionLinkBase):
    """N-dimensional convolution layer.

    Args:
        ndim: Number of spatial axes.
        in_channels: Input channels (None: read from the first input).
        out_channels: Output channels.
        ksize: Filter size (int or ``ndim``-tuple). ``ConvolutionND(ndim,
            out_channels, ksize)`` also works.
        stride, pad, dilate: Int or ``ndim``-tuple.
        nobias: No bias if True.
        initialW, initial_bias: Initializers (default LeCunNormal and 0).
        cover_all: Passed to :func:`~chainer.functions.convolution_nd`.
        groups: Number of channel groups.

    Attributes:
        W (~chainer.Parameter): ``(out_channels, in_channels // groups, *ksize)``.
        b (~chainer.Parameter): ``(out_channels,)`` or None.
    """

    def __init__(self, ndim: int, in_channels: Optional[int], out_channels: int,
                 ksize: int | Sequence[int] | None = None, stride: int | Sequence[int] = 1,
                 pad: int | Sequence[int] = 0, nobias: bool = False,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, cover_all: bool = False,
                 dilate: int | Sequence[int] = 1, groups: int = 1) -> None:
        super().__init__()
        self.cover_all = cover_all
        self._setup_nd(ndim, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                       initial_bias, dilate, groups)

    # The number of spatial axes fixed by a subclass (Convolution1D, Convolution3D)
    _fixed_ndim: Optional[int] = None

    @classmethod
    def from_params(cls, W: VariableOrArray, b: VariableOrArray | None = None,
                    stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                    nobias: bool = False, **kwargs: Any) -> 'ConvolutionND':
        """A convolution link whose parameters are copies of ``W`` (and ``b``).

        ``W`` has shape ``(out_channels, in_channels // groups, *ksize)``; with
        ``nobias`` the link has no bias, whether ``b`` is given or not. Takes
        ``cover_all``, ``dilate`` and ``groups`` as keyword arguments.
        """
        cover_all, dilate, groups = argument.parse_kwargs(
            kwargs, ('cover_all', False), ('dilate', 1), ('groups', 1))
        W, b, in_channels, out_channels, ksize = _from_params_args(W, b, groups)
        args = (in_channels, out_channels, ksize, stride, pad, nobias)
        if cls._fixed_ndim is None:
            args = (len(ksize),) + args
        elif len(ksize) != cls._fixed_ndim:
            raise ValueError(f'{cls.__name__} takes a weight of {cls._fixed_ndim + 2} '
                             f'dimensions; got shape {W.shape}')
        return cls(*args, initialW=W, initial_bias=b, cover_all=cover_all, dilate=dilate,
                   groups=groups)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the convolution to ``x`` of shape ``(n, c, *dims)``."""
        self._prepare_nd(x)
        return _conv_nd_func.convolution_nd(x, self.W, self.b, self.stride, self.pad,
                                            self.cover_all, self.dilate, self.groups)


class Convolution1D(ConvolutionND):
    """1-dimensional convolution layer (:class:`ConvolutionND` with ``ndim=1``)."""

    _fixed_ndim = 1

    def __init__(self, in_channels: Optional[int], out_channels: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                 nobias: bool = False, initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, cover_all: bool = False,
                 dilate: int | Sequence[int] = 1, groups: int = 1) -> None:
        super().__init__(1, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                         initial_bias, cover_all, dilate, groups)


class Convolution3D(ConvolutionND):
    """3-dimensional convolution layer (:class:`ConvolutionND` with ``ndim=3``)."""

    _fixed_ndim = 3

    def __init__(self, in_channels: Optional[int], out_channels: int, ksize: int | Sequence[int],
                 stride: int | Sequence[int] = 1, pad: int | Sequence[int] = 0,
                 nobias: bool = False, initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None, cover_all: bool = False,
                 dilate: int | Sequence[int] = 1, groups: int = 1) -> None:
        super().__init__(3, in_channels, out_channels, ksize, stride, pad, nobias, initialW,
                         initial_bias, cover_all, dilate, groups)
