"""Iterators that shuffle the same way on every rank."""
from __future__ import annotations

from typing import Any

import numpy

import chainer.iterators  # noqa: F401
from chainer.utils import experimental
from chainermn.datasets.scatter import DataSizeError


def create_synchronized_iterator(actual_iterator: Any, communicator: Any) -> Any:
    """Gives ``actual_iterator`` an order sampler seeded the same on every rank, and resets it.

    Every rank must hold a dataset of the same length (:class:`DataSizeError` otherwise).
    """
    experimental('chainermn.iterators.create_synchronized_iterator')
    if not hasattr(actual_iterator, 'order_sampler'):
        raise ValueError(f'{type(actual_iterator).__name__} has no order_sampler to synchronize')
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
    actual_iterator.order_sampler = chainer.iterators.ShuffleOrderSampler(
        numpy.random.RandomState(seed))
    actual_iterator.reset()
    return actual_iterator
