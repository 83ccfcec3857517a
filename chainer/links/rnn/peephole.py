"""LSTM layer with peephole connections from the cell state to the gates."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import link
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.tanh import tanh
from chainer.functions.rnn import _gates
from chainer.links.connection.linear import Linear
from chainer.links.rnn import _state

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import VariableOrArray


class StatefulPeepholeLSTM(_state.CellAndHiddenState, link.Chain):
    """Stateful LSTM whose input and forget gates also see the previous cell
    state and whose output gate sees the new one (``peep_i``, ``peep_f``,
    ``peep_o``).

    ``upward`` and ``lateral`` stack the gates as :class:`~chainer.links.LSTM`
    does (interleaved unit by unit: cell input, input, forget, output).

    Args:
        in_size: Input size.
        out_size: State size.
    """

    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__()
        self.state_size = out_size
        self.reset_state()
        with self.init_scope():
            self.upward = Linear(in_size, 4 * out_size)
            self.lateral = Linear(out_size, 4 * out_size, nobias=True)
            self.peep_i = Linear(out_size, out_size, nobias=True)
            self.peep_f = Linear(out_size, out_size, nobias=True)
            self.peep_o = Linear(out_size, out_size, nobias=True)

    def forward(self, x: VariableOrArray) -> Variable:
        lstm_in = self.upward(x)
        if self.h is not None:
            lstm_in = lstm_in + self.lateral(self.h)
        if self.c is None:
            self.c = _state.zeros_state(self, (len(x), self.state_size), lstm_in.dtype)
        a, i, f, o = _gates.gate_vars(lstm_in, 4)
        a = tanh(a)
        i = sigmoid(i + self.peep_i(self.c))
        f = sigmoid(f + self.peep_f(self.c))
        self.c = a * i + f * self.c
        o = sigmoid(o + self.peep_o(self.c))
        self.h = o * tanh(self.c)
        return self.h
