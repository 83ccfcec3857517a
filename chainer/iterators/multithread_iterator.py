"""MultithreadIterator: examples loaded by a thread pool, one batch ahead."""
from __future__ import annotations

import queue
import threading
from concurrent import futures
from typing import TYPE_CHECKING, Any

from chainer.dataset import iterator
from chainer.iterators import _statemachine
from chainer.iterators.order_samplers import ShuffleOrderSampler  # NOQA: F401
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from collections.abc import Callable

    from chainer.types import NdArray


class _DaemonPool:
    """``n`` worker threads running the calls submitted (a ``Future`` each). They are
    daemons, as those of Chainer's ``multiprocessing`` ``ThreadPool``: a load still
    running (or blocked) does not hold up the interpreter's exit, as a
    ``ThreadPoolExecutor``'s workers, joined at exit, did."""

    def __init__(self, n: int) -> None:
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._threads = [threading.Thread(target=self._work, daemon=True,
                                          name=f'MultithreadIterator_{i}')
                         for i in range(n)]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable, *args: Any) -> futures.Future:
        future: futures.Future = futures.Future()
        self._queue.put((future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            future, fn, args = item
            if not future.set_running_or_notify_cancel():
                continue
            try:
                result = fn(*args)
            except BaseException as e:  # handed to the caller, as by an executor
                future.set_exception(e)
            else:
                future.set_result(result)
            del item, future, fn, args

    def shutdown(self) -> None:
        """Cancels the calls not started; the workers end when the ones running return
        (without waiting for them: a load waiting for the caller would deadlock)."""
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in self._threads:
            self._queue.put(None)


class MultithreadIterator(_statemachine.StateMixin, iterator.Iterator):
    """Like :class:`SerialIterator`, loading examples with ``n_threads`` threads.

    The next batch is prefetched while the current one is used.  Call
    :meth:`finalize` (or use ``with``) to stop the threads.
    """

    _order_key = '_order'

    def __init__(self, dataset: Any, batch_size: int, repeat: bool = True,
                 shuffle: bool | None = None, n_threads: int = 1,
                 order_sampler: Callable[[NdArray, int], NdArray] | None = None) -> None:
        self.dataset = dataset
        self.batch_size = _statemachine.check_batch_size(batch_size)
        self._repeat = repeat
        if not isinstance(n_threads, int) or n_threads <= 0:
            raise ValueError(f'n_threads must be a positive int, got {_repr(n_threads)}')
        self.n_threads = n_threads
        self.order_sampler = _statemachine.make_order_sampler(shuffle, order_sampler)
        self._pool: _DaemonPool | None = None
        self._next: Any = None
        self.reset()

    def reset(self) -> None:
        """Rewinds to the start of epoch 0 with a fresh order."""
        self._next = None
        self._state = self._initial_state()

    def _load(self, index: Any) -> Any:
        return self.dataset[index]

    def _invoke_prefetch(self) -> None:
        rng_state = self._sampler_rng_state()
        state, indices = _statemachine.iterator_statemachine(
            self._state, self.batch_size, self._repeat, self.order_sampler,
            len(self.dataset))
        jobs = None if indices is None else self._submit(indices)
        self._next = (jobs, state, rng_state, indices)

    def _submit(self, indices: Any) -> list:
        if self._pool is None:
            self._pool = _DaemonPool(self.n_threads)
        return [self._pool.submit(self._load, i) for i in indices]

    def __next__(self) -> list:
        if self._next is None:
            self._invoke_prefetch()
        jobs, state, _, indices = self._next
        self._previous_epoch_detail = self.epoch_detail
        if indices is None:
            raise StopIteration
        # As in Chainer, the batch is consumed even if loading it raises: a caller
        # that catches a dataset error goes on with the next batch.
        self._next = None
        self._state = state
        if jobs is None:  # a copy loads what the original had prefetched
            jobs = self._submit(indices)
        try:
            batch = [job.result() for job in jobs]
        except BaseException:
            for job in jobs:
                job.cancel()
            raise
        if self._repeat or self.epoch == 0:
            self._invoke_prefetch()
        return batch

    next = __next__

    def finalize(self) -> None:
        """Stops the worker threads (they are restarted if iteration continues)."""
        pool, self._pool = self._pool, None
        if self._next is not None:
            jobs, state, rng_state, indices = self._next
            for job in jobs or ():
                job.cancel()
            # The batch drawn ahead stays drawn (and is loaded again if iteration
            # goes on): going on or saving after finalize, as after a training
            # run, sees the orders of an uninterrupted run.
            self._next = (None, state, rng_state, indices)
        if pool is not None:
            pool.shutdown()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the position, epoch, order and sampler state."""
        rng_state = self._next[2] if self._next is not None else None
        self._serialize_state(serializer, rng_state)
        if _statemachine._is_loading(serializer) and not _statemachine._is_checking(serializer):
            self._next = None  # a prefetched batch belongs to the old state

    def __del__(self) -> None:
        try:
            self.finalize()
        except Exception:
            pass

    def __copy__(self) -> 'MultithreadIterator':
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__dict__)
        new._pool = None
        if self._next is not None:
            # The copy goes on with the batch (and the order drawn for it) that the
            # original prefetched, as Chainer's shared prefetch did.
            _, state, rng_state, indices = self._next
            new._next = (None, state, rng_state, indices)
        return new
