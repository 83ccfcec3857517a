"""Scale: multiplies by a (learned or given) scale broadcast along some axes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from chainer import link
from chainer import variable
from chainer.functions.math.scale import scale
from chainer.links.connection import bias
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class Scale(link.Chain):
    """Multiplies the input by ``W`` broadcast from axis ``axis``, optionally adding a bias.

    Args:
        axis: First axis of the input the scale is aligned with.
        W_shape: Shape of a learned scale ``W`` (initialised to 1). If None,
            the scale is the second argument of the call.
        bias_term: If True, a :class:`~chainer.links.Bias` child ``bias`` is added.
        bias_shape: Shape of the bias when ``W_shape`` is None (required then
            with ``bias_term``); otherwise the bias has shape ``W_shape``.

    Attributes:
        W (~chainer.Parameter): The learned scale (only with ``W_shape``).
        bias (~chainer.links.Bias): The bias term (only with ``bias_term``).
    """

    def __init__(self, axis: int = 1, W_shape: Optional[Sequence[int]] = None,
                 bias_term: bool = False, bias_shape: Optional[Sequence[int]] = None) -> None:
        super().__init__()
        self.axis = axis

        with self.init_scope():
            if W_shape is not None:
                self.W = variable.Parameter(1, W_shape)
                if bias_term:
                    self.bias = bias.Bias(axis, W_shape)
            elif bias_term:
                if bias_shape is None:
                    raise ValueError('bias_shape should be given if W is not '
                                     'learnt parameter and bias_term is True.')
                self.bias = bias.Bias(axis, bias_shape)

    def forward(self, *xs: VariableOrArray) -> variable.Variable:
        """Returns ``x * W (+ bias)``: call with ``(x)`` when ``W`` is learned, else ``(x, W)``."""
        if hasattr(self, 'W'):
            if len(xs) != 1:
                raise _ValueAssertionError(
                    f'Scale with a learned W takes one argument; got {len(xs)}')
            z = scale(xs[0], self.W, self.axis)
        else:
            if len(xs) != 2:
                raise _ValueAssertionError(
                    f'Scale without a learned W takes two arguments (x, W); got {len(xs)}')
            z = scale(xs[0], xs[1], self.axis)
        if hasattr(self, 'bias'):
            return self.bias(z)
        return z
