"""Stacked LSTM layers over lists of variable-length sequences."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from chainer.functions.rnn import n_step_lstm as rnn
from chainer.links.rnn import n_step_rnn

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import VariableOrArray


class NStepLSTMBase(n_step_rnn.NStepRNNBase):
    """Stacked LSTM layers; eight weights per layer and direction (see
    :func:`~chainer.functions.n_step_lstm` for their roles).  Arguments as
    :class:`~chainer.links.rnn.n_step_rnn.NStepRNNBase`."""

    n_weights = 8

    @property
    def n_cells(self) -> int:
        return 2

    def rnn(self, *args: Any) -> tuple[Variable, Variable, list[Variable]]:
        return rnn.n_step_lstm_sequences(*args, use_bi_direction=self.use_bi_direction)

    def forward(self, hx: VariableOrArray, cx: VariableOrArray, xs: Sequence[Any],
                **kwargs: Any) -> tuple[Variable, Variable, list[Variable]]:
        """Runs the layers over ``xs`` (sequences in any order) from the initial
        states ``hx`` and ``cx`` (None: zeros).

        Returns:
            tuple: ``(hy, cy, ys)``: final hidden and cell states and the list of
            outputs, in the order of ``xs``.
        """
        hy, cy, ys = self._call([hx, cx], xs, **kwargs)
        return hy, cy, ys


class NStepLSTM(NStepLSTMBase):
    """Stacked uni-directional LSTM (:func:`~chainer.functions.n_step_lstm`)."""


class NStepBiLSTM(NStepLSTMBase):
    """Stacked bidirectional LSTM (:func:`~chainer.functions.n_step_bilstm`)."""

    use_bi_direction = True
