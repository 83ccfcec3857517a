"""Stacking an NStep RNN over ranks: the final hidden (and cell) states go to the next rank."""
from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

import chainer
from chainer.utils import experimental
import chainermn
import chainermn.functions

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase

__all__ = ['chainermn', 'create_multi_node_n_step_rnn']


def _n_cells(link: Any) -> int:
    use_cell = getattr(link, 'use_cell', None)
    if use_cell is not None:
        return 2 if use_cell else 1
    params = [p for p in inspect.signature(link.forward).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return 2 if len(params) >= 3 else 1


class _MultiNodeNStepRNN(chainer.Chain):
    """Receives the initial states from ``rank_in``, runs the RNN, sends the final
    states to ``rank_out``; returns the RNN's outputs plus a delegate variable."""

    def __init__(self, link: chainer.Link, communicator: Any, rank_in: int | None,
                 rank_out: int | None) -> None:
        super().__init__()
        with self.init_scope():
            self.actual_rnn = link
        self.communicator = communicator
        self.rank_in = rank_in
        self.rank_out = rank_out
        self.n_cells = _n_cells(link)

    def forward(self, *inputs: Any) -> tuple:
        cells: list = [None] * self.n_cells
        if self.rank_in is not None:
            received = chainermn.functions.recv(self.communicator, rank=self.rank_in,
                                                force_tuple=True)
            cells = list(received)
        outputs = self.actual_rnn(*cells, *inputs)
        delegate = None
        if self.rank_out is not None:
            delegate = chainermn.functions.send(tuple(outputs[:self.n_cells]),
                                                self.communicator, rank=self.rank_out)
        return tuple(outputs) + (delegate,)


def create_multi_node_n_step_rnn(actual_link: chainer.Link, communicator: CommunicatorBase,
                                 rank_in: int | None = None,
                                 rank_out: int | None = None) -> chainer.Chain:
    """Wraps an NStep RNN link (called as ``(hx, cx, xs)`` or ``(hx, xs)``) so its
    initial states come from ``rank_in`` and its final states go to ``rank_out``.

    The wrapped link is called with the sequences ``xs`` only and returns the
    RNN's outputs followed by a delegate variable (None without ``rank_out``).
    """
    experimental('chainermn.links.create_multi_node_n_step_rnn')
    return _MultiNodeNStepRNN(actual_link, communicator, rank_in, rank_out)
