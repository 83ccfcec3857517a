"""Splitting a dataset (or its index range) over the ranks of a communicator."""
from __future__ import annotations

import pickle
import warnings
from typing import TYPE_CHECKING, Any

import numpy

import chainer
import chainer.datasets  # noqa: F401

if TYPE_CHECKING:
    from collections.abc import Iterator

    from chainermn.communicators.communicator_base import CommunicatorBase


class DataSizeError(RuntimeError):
    """The dataset cannot be distributed as asked: a part too large for one MPI
    message, or (for a synchronized iterator) lengths that differ between ranks."""


def _bounds(n: int, size: int, i: int, force_equal_length: bool) -> tuple:
    if force_equal_length:
        begin = n * i // size
        return begin, begin + (n + size - 1) // size
    # As Chainer: the first n % size ranks get one example more.
    q, r = divmod(n, size)
    begin = i * q + min(i, r)
    return begin, begin + q + (i < r)


def _scatter_index(n_total_samples: int, size: int, force_equal_length: bool) -> Iterator:
    """``(rank, begin, end)`` of every rank's part, as Chainer's private helper of
    this name (its own tests and some user code call it)."""
    for i in range(size):
        yield (i, *_bounds(n_total_samples, size, i, force_equal_length))


def _root_length(n_local: int | None, comm: Any, root: int, what: str) -> int:
    """The root's length, on every rank; what other ranks pass is ignored, as in Chainer.

    A root outside the communicator, a root without a dataset or a negative length
    is refused on every rank, before any rank waits for a message that would never
    come.
    """
    if not isinstance(root, (int, numpy.integer)) or not 0 <= root < comm.size:
        raise ValueError(f'{what}: root must be a rank in [0, {comm.size}), got {root!r}')
    n = comm.bcast_obj(n_local, root=int(root))
    if n is None:
        raise TypeError(f'{what}: the root rank {root} must pass the dataset, not None')
    if n < 0:
        raise ValueError(f'{what}: the number of examples must not be negative, got {n}')
    return n


def scatter_index(n_total_samples: int | None, comm: CommunicatorBase, root: int = 0, *,
                  force_equal_length: bool = True) -> tuple:
    """The ``(begin, end)`` index range of this rank among ``n_total_samples`` examples.

    With ``force_equal_length`` every range has ``ceil(n / size)`` indices
    (neighbouring ranges overlap to make up the difference).
    """
    n = _root_length(n_total_samples, comm, root, 'scatter_index')
    return _bounds(n, comm.size, comm.rank, force_equal_length)


def scatter_dataset(dataset: Any, comm: CommunicatorBase, root: int = 0, shuffle: bool = False,
                    seed: int | None = None, max_buf_len: int = 256 * 1024 * 1024, *,
                    force_equal_length: bool = True) -> Any:
    """This rank's part of ``dataset`` (given on ``root``; other ranks may pass None).

    The root splits the examples (optionally shuffled with ``seed``) into
    ``comm.size`` parts of ``ceil(n / size)`` examples each (with
    ``force_equal_length``; otherwise the first ``n % size`` ranks get one more) and sends
    each rank its examples.  Returns a ``SubDataset`` on every rank (elsewhere than
    the root, of the list of examples it received).  As in Chainer, the datasets
    other ranks pass are ignored.
    """
    n_local = None if dataset is None else len(dataset)
    n = _root_length(n_local, comm, root, 'scatter_dataset')
    mine = None
    if comm.rank == root:
        if shuffle:
            order = numpy.random.RandomState(seed).permutation(n)
        else:
            order = numpy.arange(n)
        for i in range(comm.size):
            begin, end = _bounds(n, comm.size, i, force_equal_length)
            if i == root:
                mine = chainer.datasets.SubDataset(dataset, begin, end, order)
                continue
            part = [dataset[int(j)] for j in order[begin:end]]
            data = pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)
            if len(data) > 2 ** 31 - 1:
                raise DataSizeError(
                    f'the dataset part of {len(part)} examples is {len(data)} bytes once '
                    'pickled, more than one MPI message can carry; scatter a smaller '
                    'dataset (e.g. indices with scatter_index) instead')
            comm.send_obj(len(data), dest=i, tag=7)
            for start in range(0, len(data), max_buf_len):
                comm.mpi_comm.Send(data[start:start + max_buf_len], dest=i, tag=7)
        return mine
    nbytes = comm.recv_obj(source=root, tag=7)
    buf = bytearray(nbytes)
    for start in range(0, nbytes, max_buf_len):
        view = memoryview(buf)[start:start + max_buf_len]
        comm.mpi_comm.Recv(view, source=root, tag=7)
    part = pickle.loads(bytes(buf))
    return chainer.datasets.SubDataset(part, 0, len(part))


def get_n_iterations_for_one_epoch(dataset: Any, local_batch_size: int, comm: Any) -> int:
    """Iterations of one epoch of the root's part of the data (the same on every rank).
    Deprecated, as in Chainer: use standard epoch triggers."""
    warnings.warn('get_n_iterations_for_one_epoch is deprecated: give the trainer an '
                  "(n, 'epoch') trigger instead.", DeprecationWarning)
    n = None
    if comm.rank == 0:
        n = (len(dataset) + local_batch_size - 1) // local_batch_size
    return comm.bcast_obj(n)


def get_epoch_trigger(n_epochs: int, dataset: Any, local_batch_size: int, comm: Any) -> tuple:
    """A ``(n, 'iteration')`` trigger lasting ``n_epochs`` epochs of the scattered data.
    Deprecated, as in Chainer: use standard epoch triggers."""
    warnings.warn("get_epoch_trigger is deprecated: give the trainer an (n, 'epoch') "
                  'trigger instead.', DeprecationWarning)
    return n_epochs * get_n_iterations_for_one_epoch(dataset, local_batch_size, comm), 'iteration'
