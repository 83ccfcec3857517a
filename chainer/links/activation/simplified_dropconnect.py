"""SimplifiedDropconnect: a fully-connected layer whose weights are dropped at random."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional

import numpy

from chainer import initializers
from chainer import function_node
from chainer import link
from chainer import variable
from chainer.functions.noise.simplified_dropconnect import simplified_dropconnect
from chainer.links.connection.linear import _add_weight_and_bias
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


class SimplifiedDropconnect(link.Link):
    """Fully-connected layer with simplified DropConnect regularization.

    In training each weight is dropped with probability ``ratio`` (and the
    rest scaled by ``1 / (1 - ratio)``); see
    :func:`~chainer.functions.simplified_dropconnect`.

    Args:
        in_size: Size of each input vector; ``None`` defers the creation of
            ``W`` to the first call.
        out_size: Size of each output vector.
        ratio: Dropconnect ratio.
        nobias: If True, the layer has no bias.
        initialW: Initializer for ``W`` (default: ``HeNormal(1 / sqrt(2))``).
        initial_bias: Initializer for ``b`` (default: 0).

    Attributes:
        W (~chainer.Parameter): Weight of shape ``(out_size, in_size)``.
        b (~chainer.Parameter): Bias of shape ``(out_size,)`` (None when ``nobias``).
    """

    def __init__(self, in_size: Optional[int], out_size: int, ratio: float = .5,
                 nobias: bool = False, initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None) -> None:
        super().__init__()
        self.out_size = out_size
        self.ratio = ratio

        if initialW is None:
            initialW = initializers.HeNormal(1. / numpy.sqrt(2))
        _add_weight_and_bias(self, initialW, in_size, nobias, initial_bias, out_size)

    def _initialize_params(self, in_size: int) -> None:
        self.W.initialize((self.out_size, in_size))

    def forward(self, x: VariableOrArray, train: bool = True, mask: Any = None,
                use_batchwise_mask: bool = True) -> variable.Variable:
        """Applies the layer.

        Args:
            x: Batch of inputs; all axes but the first are flattened.
            train: If True, weights are dropped; else this is a plain linear layer.
            mask: Optional fixed mask (``(N, out_size, in_size)`` batchwise, or
                ``(out_size, in_size)``).
            use_batchwise_mask: If True, each sample gets its own mask.

        As in Chainer, the first ``mask`` given is registered as the persistent
        ``mask`` (saved and loaded with the link); each call uses its own ``mask``.
        """
        if self.W.array is None:
            function_node._check_input(x)
            with type_check._checking('SimplifiedDropconnect', (x,), ('x',)) as (x_type,):
                type_check.expect(x_type.ndim >= 2)
            self._initialize_params(x.size // x.shape[0])
        if mask is not None and 'mask' not in self.__dict__:
            self.add_persistent('mask', mask)
        return simplified_dropconnect(
            x, self.W, self.b, self.ratio, train, mask, use_batchwise_mask)
