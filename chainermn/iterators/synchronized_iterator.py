"""Iterators that shuffle the same way on every rank."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

import chainer.dataset
import chainer.iterators  # noqa: F401
from chainer.utils import experimental
from chainermn.datasets.scatter import DataSizeError

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase


class _SynchronizedIterator(chainer.dataset.Iterator):
    """``actual_iterator`` with an order sampler seeded the same on every rank.

    Every attribute other than ``actual_iterator`` is the actual iterator's (reading
    and setting it), as in Chainer.
    """

    def __init__(self, actual_iterator: Any, communicator: Any) -> None:
        if not hasattr(actual_iterator, 'order_sampler'):
            raise ValueError(
                f'{type(actual_iterator).__name__} has no order_sampler to synchronize')
        object.__setattr__(self, 'actual_iterator', actual_iterator)
        n = len(actual_iterator.dataset)
        lengths = communicator.mpi_comm.allgather(n)
        if len(set(lengths)) != 1:
            raise DataSizeError(
                'create_synchronized_iterator: the datasets differ in length between ranks: '
                + ', '.join(f'{m} on rank {r}' for r, m in enumerate(lengths)))
        seed = None
        if communicator.rank == 0:
            seed = int(numpy.random.randint(0, 2 ** 32 - 1))
        seed = communicator.bcast_obj(seed)
        self.communicator = communicator  # on the actual iterator, as Chainer's
        actual_iterator.order_sampler = chainer.iterators.ShuffleOrderSampler(
            numpy.random.RandomState(seed))
        actual_iterator.reset()

    def __getattr__(self, name: str) -> Any:
        if name == 'actual_iterator':  # not set yet (e.g. a copy being made)
            raise AttributeError(name)
        return getattr(self.actual_iterator, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.actual_iterator, name, value)

    def __next__(self) -> Any:
        return next(self.actual_iterator)

    def finalize(self) -> None:
        self.actual_iterator.finalize()

    def serialize(self, serializer: Any) -> None:
        self.actual_iterator.serialize(serializer)


def create_synchronized_iterator(actual_iterator: Any, communicator: CommunicatorBase) -> Any:
    """Wraps ``actual_iterator`` so that it shuffles with an order sampler seeded the same
    on every rank (and resets it).

    Every rank must hold a dataset of the same length (:class:`DataSizeError` otherwise).
    """
    experimental('chainermn.iterators.create_synchronized_iterator')
    return _SynchronizedIterator(actual_iterator, communicator)
