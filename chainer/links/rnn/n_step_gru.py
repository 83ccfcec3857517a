"""Stacked GRU layers over lists of variable-length sequences."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer.functions.rnn import n_step_gru as rnn
from chainer.links.rnn import n_step_rnn

if TYPE_CHECKING:
    from chainer.variable import Variable


class NStepGRUBase(n_step_rnn.NStepRNNBase):
    """Stacked GRU layers; six weights per layer and direction (see
    :func:`~chainer.functions.n_step_gru` for their roles).  Arguments as
    :class:`~chainer.links.rnn.n_step_rnn.NStepRNNBase`."""

    n_weights = 6

    @property
    def n_cells(self) -> int:
        return 1

    def rnn(self, *args: Any) -> tuple[Variable, list[Variable]]:
        return rnn.n_step_gru_sequences(*args, use_bi_direction=self.use_bi_direction)


class NStepGRU(NStepGRUBase):
    """Stacked uni-directional GRU (:func:`~chainer.functions.n_step_gru`)."""


class NStepBiGRU(NStepGRUBase):
    """Stacked bidirectional GRU (:func:`~chainer.functions.n_step_bigru`)."""

    use_bi_direction = True
