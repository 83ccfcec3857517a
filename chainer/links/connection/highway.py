"""Highway: a gated residual fully-connected layer."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from chainer import link
from chainer import variable
from chainer.functions.activation.relu import relu
from chainer.functions.activation.sigmoid import sigmoid
from chainer.links.connection import linear

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class Highway(link.Chain):
    """Highway layer: ``y = h(x W_H + b_H) * T + x * (1 - T)``, ``T = sigmoid(x W_T + b_T)``.

    Args:
        in_out_size: Size of the input and output vectors.
        nobias: If True, neither affine map has a bias.
        activate: Activation ``h`` applied to the plain path.
        init_Wh: Initializer for the plain path's weight (``plain.W``).
        init_Wt: Initializer for the transform gate's weight (``transform.W``).
        init_bh: Initializer for the plain path's bias (default 0).
        init_bt: Initializer for the gate's bias; the default -1 makes the
            layer start close to the identity.

    Attributes:
        plain (~chainer.links.Linear): The plain path.
        transform (~chainer.links.Linear): The transform gate.
    """

    def __init__(self, in_out_size: int, nobias: bool = False,
                 activate: Callable = relu, init_Wh: Any = None,
                 init_Wt: Any = None, init_bh: Any = None, init_bt: Any = -1) -> None:
        super().__init__()
        self.activate = activate

        with self.init_scope():
            self.plain = linear.Linear(
                in_out_size, in_out_size, nobias=nobias,
                initialW=init_Wh, initial_bias=init_bh)
            self.transform = linear.Linear(
                in_out_size, in_out_size, nobias=nobias,
                initialW=init_Wt, initial_bias=init_bt)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the highway layer to the batch ``x`` of shape ``(N, in_out_size)``."""
        out_plain = self.activate(self.plain(x))
        out_transform = sigmoid(self.transform(x))
        return out_plain * out_transform + x * (1 - out_transform)
