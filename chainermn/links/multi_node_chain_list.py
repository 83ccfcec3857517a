"""Model parallelism: a chain of links spread over ranks, joined by send and recv."""
from __future__ import annotations

import collections
from typing import TYPE_CHECKING, Any, Sequence

import chainer
from chainer.utils import experimental
import chainermn.functions

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase

__all__ = ['MultiNodeChainList', 'chainermn']


def _as_ranks(ranks: int | Sequence[int] | None) -> list | None:
    if ranks is None:
        return None
    if isinstance(ranks, int):
        return [ranks]
    return list(ranks)


def _first(x: Any) -> Any:
    """The variable that stands for ``x`` (a variable or a tuple of them) as a delegate."""
    return x[0] if isinstance(x, tuple) else x


def _connect(delegate: chainer.Variable, x: Any) -> Any:
    """``x`` (a variable or a tuple of them) joined to the graph of ``delegate``."""
    if isinstance(x, tuple):
        return chainermn.functions.pseudo_connect(delegate, *x)
    return chainermn.functions.pseudo_connect(delegate, x)[0]


class MultiNodeChainList(chainer.ChainList):
    """This rank's part of a model spread over the ranks of ``comm``.

    Each rank adds its own components in order with :meth:`add_link`,
    naming where a component's inputs come from (``rank_in``: None for the
    arguments of the call, or a rank / list of ranks, whose outputs are the
    component's positional inputs) and where its output goes (``rank_out``:
    None for the result of the call, or a rank / list of ranks).  Calling the
    chain returns the result of the last component, or, on ranks whose last
    component sends, a delegate variable: call ``backward()`` on what every
    rank gets and the gradients travel back across the ranks.
    """

    def __init__(self, comm: CommunicatorBase) -> None:
        experimental('chainermn.MultiNodeChainList')
        super().__init__()
        self._comm = comm
        self._rank_inouts: list = []

    def add_link(self, link: chainer.Link, rank_in: int | Sequence[int] | None = None,
                 rank_out: int | Sequence[int] | None = None) -> None:
        """Appends ``link`` as this rank's next component."""
        if rank_out is None and any(out is None for _, out in self._rank_inouts):
            raise ValueError('MultiNodeChainList can have only one component whose rank_out '
                             'is None (the one whose output is the result)')
        super().add_link(link)
        self._rank_inouts.append((_as_ranks(rank_in), _as_ranks(rank_out)))

    def forward(self, *inputs: Any) -> Any:
        # As Chainer: outputs a rank sends to itself wait in a queue for the
        # component that takes them, and every step is tied (pseudo_connect, or
        # recv's delegate_variable) to the one before, so that backward runs the
        # steps in reverse order: each rank sends the gradients its peers wait for
        # before it waits for theirs.
        comm = self._comm
        local: collections.deque = collections.deque()
        y = None
        delegate = None
        for link, (rank_in, rank_out) in zip(self._children, self._rank_inouts):
            if rank_in is None:
                args = list(inputs)
                if delegate is not None and args:
                    args[0] = _connect(delegate, args[0])
            else:
                args = []
                for r in rank_in:
                    if r == comm.rank:
                        if not local:
                            raise ValueError(
                                f'a component takes its input from rank {r} (this rank), '
                                'but no earlier component sent one to it')
                        received = local.popleft()
                        if delegate is not None:
                            received = _connect(delegate, received)
                    else:
                        received = chainermn.functions.recv(comm, r,
                                                            delegate_variable=delegate)
                    args.append(received)
                    delegate = _first(received)
            delegate = None
            x = link(*args)
            if rank_out is None:
                y = x
                delegate = _first(y)
                continue
            for r in rank_out:
                if delegate is not None:
                    x = _connect(delegate, x)
                if r == comm.rank:
                    local.append(x)
                    delegate = _first(x)
                else:
                    delegate = chainermn.functions.send(x, comm, r)
        if local:
            raise ValueError(
                'Communication queue is not empty at the end of forward: an output sent to '
                'this rank was not taken by a later component (check that rank_in and '
                'rank_out correspond)')
        if y is None:
            return delegate
        if delegate is None or delegate is _first(y):
            return y
        return _connect(delegate, y)
