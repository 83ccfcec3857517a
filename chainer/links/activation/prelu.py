"""PReLU: leaky ReLU with a learnable slope."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence, Union

from chainer import link
from chainer import variable
from chainer.functions.activation.prelu import prelu

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


class PReLU(link.Link):
    """Parametric ReLU: ``max(x, 0) + W * min(x, 0)`` with a learned ``W``.

    Args:
        shape: Shape of ``W``; it is broadcast over ``x`` from axis 1, so
            ``()`` shares one slope and ``(C,)`` has one slope per channel.
        init: Initial value (or initializer) of ``W``.

    Attributes:
        W (~chainer.Parameter): The slopes.
    """

    def __init__(self, shape: Union[int, Sequence[int]] = (), init: InitializerSpec = 0.25) -> None:
        super().__init__()
        with self.init_scope():
            self.W = variable.Parameter(init, shape)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the parametric ReLU to ``x``."""
        return prelu(x, self.W)
