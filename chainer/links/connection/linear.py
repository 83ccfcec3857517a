"""Linear: the fully-connected layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterator, Optional, Tuple

from chainer import initializers
from chainer import link
from chainer import utils
from chainer import variable
from chainer.functions.connection.linear import linear

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


def _add_weight_and_bias(layer: link.Link, initialW: Any, in_size: Optional[int],
                         nobias: bool, initial_bias: Any, out_size: Any) -> None:
    """Registers the weight ``W`` of ``layer``, initialized now by its
    ``_initialize_params(in_size)`` when ``in_size`` is known (else at the first
    call), and its bias ``b`` of ``out_size`` (None with ``nobias``)."""
    with layer.init_scope():
        layer.W = variable.Parameter(initializers._get_initializer(initialW))
        if in_size is not None:
            layer._initialize_params(in_size)
        layer.b = None if nobias else variable.Parameter(
            initializers._get_bias_initializer(initial_bias), out_size)


class Linear(link.Link):
    """Fully-connected layer: ``y = x W^T + b``.

    Holds a weight ``W`` of shape ``(out_size, in_size)`` and a bias ``b`` of
    shape ``(out_size,)``.

    Args:
        in_size: Size of each input vector. ``None`` (or calling with a
            single argument, ``Linear(out_size)``) defers the creation of
            ``W`` to the first call, which reads the size from the input.
        out_size: Size of each output vector.
        nobias: If True, the layer has no bias.
        initialW: Initializer, array or scalar for ``W`` (default: LeCunNormal).
        initial_bias: Initializer, array or scalar for ``b`` (default: 0).

    Attributes:
        W (~chainer.Parameter): Weight.
        b (~chainer.Parameter): Bias (None when ``nobias``).
    """

    def __init__(self, in_size: Optional[int], out_size: Optional[int] = None, nobias: bool = False,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None) -> None:
        super().__init__()
        if out_size is None:
            in_size, out_size = None, in_size
        self.in_size = in_size
        self.out_size = out_size
        _add_weight_and_bias(self, initialW, in_size, nobias, initial_bias, out_size)

    @property
    def printable_specs(self) -> Iterator[Tuple[str, Any]]:
        yield 'in_size', self.in_size
        yield 'out_size', self.out_size
        yield 'nobias', self.b is None

    @classmethod
    def from_params(cls, W: VariableOrArray, b: VariableOrArray | None = None,
                    nobias: bool = False) -> 'Linear':
        """Builds a Linear link whose parameters are copies of ``W`` (and ``b``).

        Args:
            W: Weight array or Variable of shape ``(out_size, in_size)``.
            b: Bias of shape ``(out_size,)``, or None (zeros unless ``nobias``).
            nobias: If True, the link has no bias, whether ``b`` is given or not.
        """
        W = variable.as_array(W)
        out_size, in_size = W.shape
        if b is not None:
            b = variable.as_array(b)
            if out_size != b.size:
                raise ValueError('`out_size` does not match the size of `b`')
        return cls(in_size, out_size, nobias, initialW=W, initial_bias=b)

    def _initialize_params(self, in_size: int) -> None:
        self.W.initialize((self.out_size, in_size))

    def forward(self, x: VariableOrArray, n_batch_axes: int = 1) -> variable.Variable:
        """Applies the layer to ``x``.

        Args:
            x: Input whose first ``n_batch_axes`` axes are batch axes; the rest
                are flattened into the input vector.
            n_batch_axes: Number of leading batch axes.
        """
        if self.W.array is None:
            if n_batch_axes <= 0:
                raise ValueError('n_batch_axes should be greater than 0.')
            self._initialize_params(utils.size_of_shape(x.shape[n_batch_axes:]))
        return linear(x, self.W, self.b, n_batch_axes=n_batch_axes)
