"""Stateful LSTM regularized by zoneout of its cell state and output."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import link
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.tanh import tanh
from chainer.functions.noise.zoneout import zoneout
from chainer.functions.rnn import _gates
from chainer.links.connection.linear import Linear
from chainer.links.rnn import _state
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import VariableOrArray


class StatefulZoneoutLSTM(_state.CellAndHiddenState, link.Chain):
    """Stateful LSTM whose new cell state and output keep each unit's previous
    value with probability ``c_ratio`` and ``h_ratio`` in training mode.

    Args:
        in_size: Input size.
        out_size: State size.
        c_ratio: Zoneout ratio of the cell state.
        h_ratio: Zoneout ratio of the output.
    """

    def __init__(self, in_size: int, out_size: int, c_ratio: float = 0.5,
                 h_ratio: float = 0.5, **kwargs: Any) -> None:
        argument.parse_kwargs(kwargs, train='train argument is not supported anymore. '
                              'Use chainer.using_config')
        super().__init__()
        self.state_size = out_size
        self.c_ratio = c_ratio
        self.h_ratio = h_ratio
        self.reset_state()
        with self.init_scope():
            self.upward = Linear(in_size, 4 * out_size)
            self.lateral = Linear(out_size, 4 * out_size, nobias=True)

    def forward(self, x: VariableOrArray) -> Variable:
        shape = (len(x), self.state_size)
        lstm_in = self.upward(x)
        # As Chainer: no lateral term (and no gradient for it) before the first
        # state, and the output is computed from the new cell before zoneout.
        if self.h is None:
            self.h = _state.zeros_state(self, shape, x.dtype)
        else:
            lstm_in = lstm_in + self.lateral(self.h)
        if self.c is None:
            self.c = _state.zeros_state(self, shape, x.dtype)
        a, i, f, o = _gates.gate_vars(lstm_in, 4)
        c_next = tanh(a) * sigmoid(i) + sigmoid(f) * self.c
        self.c = zoneout(self.c, c_next, self.c_ratio)
        self.h = zoneout(self.h, sigmoid(o) * tanh(c_next), self.h_ratio)
        return self.h
