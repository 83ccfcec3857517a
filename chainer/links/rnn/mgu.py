"""Minimal gated units: :class:`StatelessMGU` and :class:`StatefulMGU`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import chainer
from chainer import link
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.tanh import tanh
from chainer.functions.array.concat import concat
from chainer.functions.math.linear_interpolate import linear_interpolate
from chainer.links.connection.linear import Linear
from chainer.links.rnn import _state

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import VariableOrArray


class MGUBase(link.Chain):
    """Parameters of a minimal gated unit: ``W_f`` (forget gate) and ``W_h``
    (candidate state), both acting on ``[h, x]``.

    Args:
        n_inputs: Input size.
        n_units: State size.
    """

    def __init__(self, n_inputs: int, n_units: int) -> None:
        super().__init__()
        with self.init_scope():
            self.W_f = Linear(n_inputs + n_units, n_units)
            self.W_h = Linear(n_inputs + n_units, n_units)

    def _call_mgu(self, h: Any, x: Any):
        f = sigmoid(self.W_f(concat([h, x])))
        h_bar = tanh(self.W_h(concat([f * h, x])))
        return linear_interpolate(f, h_bar, h)


class StatelessMGU(MGUBase):
    """MGU with the state passed in: ``forward(h, x)`` returns the new state."""

    def forward(self, h: VariableOrArray, x: VariableOrArray) -> Variable:
        return self._call_mgu(h, x)


class StatefulMGU(_state.HiddenState, MGUBase):
    """MGU that keeps its state ``h`` between calls (``forward(x)``).

    Args:
        in_size: Input size.
        out_size: State size.
    """

    def __init__(self, in_size: int, out_size: int) -> None:
        super().__init__(in_size, out_size)
        self._state_size = out_size
        self.reset_state()

    def forward(self, x: VariableOrArray) -> Variable:
        h = self.h
        if h is None:
            h = _state.zeros_state(self, (x.shape[0], self._state_size),
                                   chainer.get_dtype())
        self.h = self._call_mgu(h, x)
        return self.h
