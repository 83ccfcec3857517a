"""Gated recurrent unit layers: :class:`StatelessGRU`, :class:`StatefulGRU`, :class:`GRU`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import link
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.tanh import tanh
from chainer.functions.math.linear_interpolate import linear_interpolate
from chainer.links.connection.linear import Linear
from chainer.links.rnn import _state

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import InitializerSpec, VariableOrArray


class GRUBase(link.Chain):
    """Parameters of a GRU layer: ``W_r``, ``U_r`` (reset gate), ``W_z``, ``U_z``
    (update gate), ``W``, ``U`` (candidate state); ``W_*`` act on the input and
    ``U_*`` on the previous state.

    Args:
        in_size: Input size.
        out_size: State size.
        init: Initializer of the ``W_*`` weights.
        inner_init: Initializer of the ``U_*`` weights.
        bias_init: Initializer of all biases.
    """

    def __init__(self, in_size: int, out_size: int, init: InitializerSpec | None = None,
                 inner_init: Any = None, bias_init: InitializerSpec | None = None) -> None:
        super().__init__()
        self.state_size = out_size
        with self.init_scope():
            self.W_r = Linear(in_size, out_size, initialW=init, initial_bias=bias_init)
            self.U_r = Linear(out_size, out_size, initialW=inner_init,
                              initial_bias=bias_init)
            self.W_z = Linear(in_size, out_size, initialW=init, initial_bias=bias_init)
            self.U_z = Linear(out_size, out_size, initialW=inner_init,
                              initial_bias=bias_init)
            self.W = Linear(in_size, out_size, initialW=init, initial_bias=bias_init)
            self.U = Linear(out_size, out_size, initialW=inner_init,
                            initial_bias=bias_init)


class StatelessGRU(GRUBase):
    """GRU layer with the state passed in: ``forward(h, x)`` returns the new state

    ``z * tanh(W x + U (r * h)) + (1 - z) * h`` with ``r = sigmoid(W_r x + U_r h)``
    and ``z = sigmoid(W_z x + U_z h)``.
    """

    def forward(self, h: VariableOrArray, x: VariableOrArray) -> Variable:
        r = sigmoid(self.W_r(x) + self.U_r(h))
        z = sigmoid(self.W_z(x) + self.U_z(h))
        h_bar = tanh(self.W(x) + self.U(r * h))
        return linear_interpolate(z, h_bar, h)


class StatefulGRU(_state.HiddenState, GRUBase):
    """GRU layer that keeps its state ``h`` between calls (``forward(x)``).

    The first step (no state) returns ``z * tanh(W x)``. Arguments as
    :class:`GRUBase`, with ``bias_init`` defaulting to 0.
    """

    def __init__(self, in_size: int, out_size: int, init: InitializerSpec | None = None,
                 inner_init: Any = None, bias_init: InitializerSpec = 0) -> None:
        super().__init__(in_size, out_size, init, inner_init, bias_init)
        self.reset_state()

    def forward(self, x: VariableOrArray) -> Variable:
        z = self.W_z(x)
        h_bar = self.W(x)
        if self.h is not None:
            r = sigmoid(self.W_r(x) + self.U_r(self.h))
            z = z + self.U_z(self.h)
            h_bar = h_bar + self.U(r * self.h)
        z = sigmoid(z)
        h_bar = tanh(h_bar)
        if self.h is not None:
            h_new = linear_interpolate(z, h_bar, self.h)
        else:
            h_new = z * h_bar
        self.h = h_new
        return self.h


class GRU(StatefulGRU):
    """Stateful GRU layer (:class:`StatefulGRU`); takes one input per call."""

    def forward(self, *args: Any, **kwargs: Any) -> Variable:
        if len(args) != 1 or kwargs:
            msg = ('Invalid argument. The length of GRU.__call__ must be 1. '
                   f'But {len(args)} is given. ')
            if len(args) == 2:
                msg += ('chainer.links.GRU is stateful and takes only the input; '
                        'use chainer.links.StatelessGRU to pass the state.')
            raise ValueError(msg)
        return super().forward(args[0])
