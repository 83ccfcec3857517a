"""One rank reads the batches; every rank gets them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import chainer
from chainer.utils import experimental

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase


class _MultiNodeIterator(chainer.dataset.iterator.Iterator):
    """Wraps the master's iterator: the master's batches and epoch state go to every rank."""

    _STATE = ('epoch', 'is_new_epoch', 'epoch_detail', 'previous_epoch_detail',
              'current_position')

    def __init__(self, actual_iterator: Any, communicator: Any, rank_master: int) -> None:
        self.communicator = communicator
        self.rank_master = rank_master
        self.actual_iterator = actual_iterator
        self._state: dict = {}
        if communicator.rank == rank_master:
            self._state = self._read_state()
        self._state = communicator.bcast_obj(self._state, root=rank_master)

    def _read_state(self) -> dict:
        return {k: getattr(self.actual_iterator, k, None) for k in self._STATE}

    def __next__(self) -> Any:
        comm = self.communicator
        if comm.rank == self.rank_master:
            try:
                batch = next(self.actual_iterator)
                stop = False
            except StopIteration:
                batch, stop = None, True
            message = (stop, batch, self._read_state())
        else:
            message = None
        stop, batch, self._state = comm.bcast_obj(message, root=self.rank_master)
        if stop:
            raise StopIteration
        return batch

    next = __next__

    def __getattr__(self, name: str) -> Any:
        state = self.__dict__.get('_state', {})
        if name in state:
            return state[name]
        if self.__dict__.get('communicator') is not None \
                and self.communicator.rank == self.rank_master:
            return getattr(self.actual_iterator, name)
        raise AttributeError(name)

    @property
    def epoch(self) -> int:
        return self._state['epoch']

    @property
    def is_new_epoch(self) -> bool:
        return self._state['is_new_epoch']

    @property
    def epoch_detail(self) -> float:
        return self._state['epoch_detail']

    @property
    def previous_epoch_detail(self) -> float:
        return self._state['previous_epoch_detail']

    def reset(self) -> None:
        if self.communicator.rank == self.rank_master:
            self.actual_iterator.reset()
            self._state = self._read_state()
        self._state = self.communicator.bcast_obj(self._state, root=self.rank_master)

    def serialize(self, serializer: Any) -> None:
        """Saves or loads the master's iterator; the other ranks write (and take) the
        master's position, epoch, ``is_new_epoch`` and order.  Every rank must call it."""
        comm = self.communicator
        message = None
        if comm.rank == self.rank_master:
            self.actual_iterator.serialize(serializer)
            if isinstance(serializer, chainer.serializer.Deserializer):
                self._state = self._read_state()
            order = getattr(getattr(self.actual_iterator, '_state', None), 'order', None)
            message = (self._state, order)
        self._state, order = comm.bcast_obj(message, root=self.rank_master)
        if comm.rank == self.rank_master:
            return
        for key in ('current_position', 'epoch', 'is_new_epoch'):
            serializer(key, self._state[key])
        if order is not None:
            try:
                serializer('order', order)
            except KeyError:
                pass

    def finalize(self) -> None:
        if self.communicator.rank == self.rank_master:
            self.actual_iterator.finalize()


def create_multi_node_iterator(actual_iterator: Any, communicator: CommunicatorBase,
                               rank_master: int = 0) -> Any:
    """An iterator whose batches come from ``actual_iterator`` of ``rank_master``.

    Every rank gets the same batches, e.g. the labels for the last stage of a
    model-parallel network; the other ranks' ``actual_iterator`` is not read.
    """
    experimental('chainermn.iterators.create_multi_node_iterator')
    return _MultiNodeIterator(actual_iterator, communicator, rank_master)
