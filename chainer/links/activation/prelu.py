"""PReLU: leaky ReLU with a learnable slope."""
from __future__ import annotations

from typing import Any, Sequence, Union

from chainer import link
from chainer import variable
from chainer.functions.activation.prelu import prelu


class PReLU(link.Link):
    """Parametric ReLU: ``max(x, 0) + W * min(x, 0)`` with a learned ``W``.

    Args:
        shape: Shape of ``W``; it is broadcast over ``x`` from axis 1, so
            ``()`` shares one slope and ``(C,)`` has one slope per channel.
        init: Initial value (or initializer) of ``W``.

    Attributes:
        W (~chainer.Parameter): The slopes.
    """

    def __init__(self, shape: Union[int, Sequence[int]] = (), init: Any = 0.25) -> None:
        super().__init__()
        with self.init_scope():
            self.W = variable.Parameter(init, shape)

    def forward(self, x: Any) -> variable.Variable:
        """Applies the parametric ReLU to ``x``."""
        return prelu(x, self.W)
