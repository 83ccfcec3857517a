"""Swish: ``x * sigmoid(beta * x)`` with a learnable ``beta``."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, Sequence, Union

from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.activation.swish import swish

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class Swish(link.Link):
    """Swish activation with a learned ``beta`` (broadcast over ``x`` from axis 1).

    Args:
        beta_shape: Shape of ``beta``; ``None`` defers its creation to the
            first call, where it gets the shape ``x.shape[1:]``.
        beta_init: Initial value (or initializer) of ``beta``.

    Attributes:
        beta (~chainer.Parameter): The parameter.
    """

    def __init__(self, beta_shape: Optional[Union[int, Sequence[int]]],
                 beta_init: Any = 1.0) -> None:
        super().__init__()
        with self.init_scope():
            if beta_shape is not None:
                self.beta = variable.Parameter(beta_init, beta_shape)
            else:
                self.beta = variable.Parameter(initializers._get_initializer(beta_init))

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies swish to ``x``."""
        if self.beta.array is None:
            self.beta.initialize(x.shape[1:])
        return swish(x, self.beta)
