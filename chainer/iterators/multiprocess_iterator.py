"""MultiprocessIterator: examples loaded by a pool of worker processes."""
from __future__ import annotations

import collections
import multiprocessing
import multiprocessing.pool
import signal
import threading
import time
import warnings
import weakref
from typing import TYPE_CHECKING, Any

import numpy

from chainer.dataset import iterator
from chainer.iterators import _statemachine
from chainer.iterators.order_samplers import ShuffleOrderSampler  # NOQA: F401
from chainer.utils import _fork
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from collections.abc import Callable

    from chainer.types import NdArray

_worker_dataset: Any = None
_POLL_SECONDS = 0.5
#: How long stopping the pool waits for the batches still loading (seconds).
_SHUTDOWN_GRACE_SECONDS = 5.0


def _init_worker(dataset: Any) -> None:
    global _worker_dataset
    # Ctrl-C goes to the main process, which then shuts the pool down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_dataset = dataset


def _fetch(index: int) -> Any:
    return _worker_dataset[index]


def _check_count(name: str, value: Any, least: int) -> int:
    # Chainer let these through to multiprocessing (n_processes=0 meaning all
    # CPUs), which raised TypeError or ValueError at the first batch.
    if isinstance(value, bool) or not isinstance(value, (int, numpy.integer)):
        raise TypeError(f'{name} must be an int, got {_repr(value)}')
    if value < least:
        raise ValueError(f'{name} must be at least {least}, got {value}')
    return int(value)


def _shutdown_pool(pool: multiprocessing.pool.Pool) -> None:
    # Let the batches in flight finish first: a worker terminated while it sends a
    # result keeps the result queue's lock, and Pool.terminate then waits for that
    # lock forever (a CPython race). Not when a worker died: its tasks never finish.
    pool.close()
    workers = list(getattr(pool, '_pool', ()))
    if all(w.exitcode in (None, 0) for w in workers):
        deadline = time.monotonic() + _SHUTDOWN_GRACE_SECONDS
        for job in list(getattr(pool, '_cache', {}).values()):
            job.wait(max(0.0, deadline - time.monotonic()))
    # A worker that died (killed, out of memory) while idle holds the task queue's
    # lock, and Pool.terminate waits for it forever: give it a while, then stop the
    # workers left ourselves (its thread, blocked for good, is a daemon).
    stopper = threading.Thread(target=pool.terminate, daemon=True,
                               name='MultiprocessIterator pool shutdown')
    stopper.start()
    stopper.join(_SHUTDOWN_GRACE_SECONDS)
    if stopper.is_alive():
        for w in list(getattr(pool, '_pool', ())):
            if w.exitcode is None:
                w.kill()
                w.join(1.0)
        return
    pool.join()


class MultiprocessIterator(_statemachine.StateMixin, iterator.Iterator):
    """Like :class:`SerialIterator`, loading examples in ``n_processes`` processes.

    ``n_prefetch`` batches are requested ahead of use.  The worker pool is
    started on the first ``next()`` and stopped by :meth:`finalize`, by
    leaving a ``with`` block, when the iterator is garbage collected, or at
    interpreter exit, so no worker outlives the training loop.  The dataset
    must be picklable on platforms that do not fork.

    ``dataset_timeout`` (seconds, ``None`` to disable) is how long to wait for
    a batch before emitting a :class:`MultiprocessIterator.TimeoutWarning`
    (the wait then continues).  ``shared_mem`` is accepted for compatibility;
    examples are sent back through pipes.  Without it, the first batch is
    loaded in this process before the workers start, as Chainer loaded it to
    measure the examples: what its loading draws from ``numpy.random`` (random
    augmentations) is drawn here, and the workers start from the state after
    it.  ``maxtasksperchild`` restarts workers after that many tasks.
    """

    class TimeoutWarning(RuntimeWarning):
        """A batch took longer than ``dataset_timeout`` seconds to load."""

    def __init__(self, dataset: Any, batch_size: int, repeat: bool = True,
                 shuffle: bool | None = None, n_processes: int | None = None, n_prefetch: int = 1,
                 shared_mem: int | None = None,
                 order_sampler: Callable[[NdArray, int], NdArray] | None = None,
                 dataset_timeout: float | None = 30.0, maxtasksperchild: int | None = None) -> None:
        self.dataset = dataset
        self.batch_size = _statemachine.check_batch_size(batch_size)
        self._repeat = repeat
        self.shuffle = shuffle
        self.n_processes = _check_count(
            'n_processes', n_processes or multiprocessing.cpu_count(), 1)
        self.n_prefetch = max(int(n_prefetch), 1)
        if shared_mem is not None:
            _check_count('shared_mem', shared_mem, 0)
        self.shared_mem = shared_mem
        self.dataset_timeout = dataset_timeout
        self._maxtasksperchild = maxtasksperchild
        self.order_sampler = _statemachine.make_order_sampler(shuffle, order_sampler)
        self._pool: multiprocessing.pool.Pool | None = None
        self._finalizer: Any = None
        self._pending: collections.deque = collections.deque()
        self._finalized = False
        self._first_loaded = False  # the first batch was loaded here (shared_mem None)
        self.reset()

    def reset(self) -> None:
        """Rewinds to the start of epoch 0 with a fresh order (drops prefetched batches).

        As in Chainer, a finalized iterator cannot be reset (NotImplementedError).
        """
        if self._finalized:
            raise NotImplementedError(
                'Reset of finalized MultiprocessIterator is not supported')
        self._pending = collections.deque()
        self._state = self._initial_state()

    def _ensure_pool(self) -> multiprocessing.pool.Pool:
        if self._pool is None:
            pool = _fork.context().Pool(
                self.n_processes, initializer=_init_worker, initargs=(self.dataset,),
                maxtasksperchild=self._maxtasksperchild)
            self._pool = pool
            self._finalizer = weakref.finalize(self, _shutdown_pool, pool)
        return self._pool

    def _submit(self, indices: list) -> Any:
        chunksize = max(1, len(indices) // (self.n_processes * 2))
        pool = self._ensure_pool()
        result = pool.map_async(_fetch, indices, chunksize)
        # Remember the workers that may run these tasks, to notice if one dies.
        result._chainer_workers = list(getattr(pool, '_pool', ()))
        return result

    def _fill(self) -> None:
        # Pending entries are (result, state, rng_state, indices); indices is None
        # where the non-repeating iteration is over, result where the batch was
        # drawn before finalize and is not loading.
        # The workers are forked before any order is drawn for them, as Chainer
        # started its pool before its prefetch thread.
        self._ensure_pool()
        for k in range(len(self._pending)):
            result, state, rng_state, indices = self._pending[k]
            if result is None and indices is not None:
                self._pending[k] = (self._submit(indices), state, rng_state, indices)
        while len(self._pending) < self.n_prefetch:
            state = self._pending[-1][1] if self._pending else self._state
            if self._pending and self._pending[-1][3] is None:
                return  # the non-repeating iteration is over
            rng_state = self._sampler_rng_state()
            state, indices = _statemachine.iterator_statemachine(
                state, self.batch_size, self._repeat, self.order_sampler,
                len(self.dataset))
            if indices is None:
                self._pending.append((None, state, rng_state, None))
                return
            indices = list(indices)  # NumPy integers reach the dataset, as in Chainer
            self._pending.append((self._submit(indices), state, rng_state, indices))

    def _wait(self, result: Any) -> list:
        # Poll in short slices: warn every dataset_timeout seconds, and fail
        # instead of hanging forever when a worker was killed (its tasks are
        # lost; the pool only replaces the process).
        waited = 0.0
        warned_at = 0.0
        dead_seen = False
        while True:
            step = _POLL_SECONDS
            if self.dataset_timeout is not None:
                step = min(step, max(self.dataset_timeout, 0.001))
            try:
                return result.get(timeout=step)
            except multiprocessing.TimeoutError:
                pass
            waited += step
            if self.dataset_timeout is not None and \
                    waited - warned_at >= self.dataset_timeout:
                warned_at = waited
                warnings.warn(
                    f'Stalled dataset is detected: a batch took more than '
                    f'{waited:.3g} seconds to load. The dataset may be slow or a '
                    'worker may have died.', MultiprocessIterator.TimeoutWarning)
            dead = [w for w in getattr(result, '_chainer_workers', ())
                    if w.exitcode is not None and w.exitcode != 0]
            if dead:
                if dead_seen:
                    codes = ', '.join(f'pid {w.pid} exit code {w.exitcode}' for w in dead)
                    raise RuntimeError(
                        f'MultiprocessIterator: a worker process died while loading a '
                        f'batch ({codes}); the batch is lost. Was it killed (e.g. out '
                        'of memory)?')
                dead_seen = True

    def __next__(self) -> list:
        if self.shared_mem is None and not self._first_loaded and self._pool is None \
                and not self._pending:
            state, indices = _statemachine.iterator_statemachine(
                self._state, self.batch_size, self._repeat, self.order_sampler,
                len(self.dataset))
            if indices is None:
                self._pending.append((None, state, None, None))
            else:
                return self._next_loaded_here(state, list(indices))
        self._fill()
        result, state, _, indices = self._pending[0]
        if indices is None:
            self._previous_epoch_detail = self.epoch_detail
            raise StopIteration
        try:
            batch = self._wait(result)
        except BaseException:
            if result.ready():
                # The dataset raised: the batch is consumed, as in the other iterators,
                # so a loop that catches the error goes on with the next batch.
                self._advance(state)
            else:
                # Interrupted or a worker died: the queued batches depend on this one.
                self._pending.clear()
            raise
        self._advance(state)
        self._fill()
        return batch

    def _next_loaded_here(self, state: Any, indices: list) -> list:
        # Chainer's first batch without shared_mem: loaded in this process (with
        # dataset_timeout, in a thread that is waited for), then the pool starts.
        try:
            batch = self._load_here(indices)
        finally:
            # Consumed also when the dataset raised, as a batch loaded by the workers.
            self._previous_epoch_detail = self.epoch_detail
            self._state = state
        self._first_loaded = True
        self._fill()
        return batch

    def _load_here(self, indices: list) -> list:
        if self.dataset_timeout is None:
            return [self.dataset[i] for i in indices]
        loaded: dict = {}

        def load() -> None:
            try:
                loaded['batch'] = [self.dataset[i] for i in indices]
            except BaseException as error:
                loaded['error'] = error

        thread = threading.Thread(target=load, daemon=True,
                                  name='MultiprocessIterator first batch')
        thread.start()
        thread.join(self.dataset_timeout)
        if thread.is_alive():
            warnings.warn(
                f'Stalled dataset is detected: a batch took more than '
                f'{self.dataset_timeout:.3g} seconds to load.',
                MultiprocessIterator.TimeoutWarning)
            thread.join()
        if 'error' in loaded:
            raise loaded['error']
        return loaded['batch']

    def _advance(self, state: Any) -> None:
        self._pending.popleft()
        self._previous_epoch_detail = self.epoch_detail
        self._state = state

    next = __next__

    def finalize(self) -> None:
        """Terminates the worker processes (restarted if iteration continues)."""
        self._finalized = True
        # The batches drawn ahead stay drawn (and are loaded again if iteration
        # goes on): going on or saving after finalize, as after a training run,
        # sees the orders of an uninterrupted run.
        self._pending = collections.deque(
            (None, state, rng_state, indices)
            for _, state, rng_state, indices in self._pending)
        pool, self._pool = self._pool, None
        finalizer, self._finalizer = self._finalizer, None
        if finalizer is not None:
            finalizer()
        elif pool is not None:
            _shutdown_pool(pool)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the position, epoch, order and sampler state."""
        rng_state = self._pending[0][2] if self._pending else None
        self._serialize_state(serializer, rng_state)
        if _statemachine._is_loading(serializer) and not _statemachine._is_checking(serializer):
            self._pending.clear()

    def __del__(self) -> None:
        try:
            self.finalize()
        except Exception:
            pass

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state['_pool'] = None
        state['_finalizer'] = None
        state['_pending'] = collections.deque()
        state['_first_loaded'] = False  # a copy is a new iterator for Chainer
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._first_loaded = False  # also in pickles written before it was kept
        self._draw_discarded_order()

    def __copy__(self) -> 'MultiprocessIterator':
        new = self.__class__.__new__(self.__class__)
        new.__dict__.update(self.__getstate__())
        new._finalized = False
        new._draw_discarded_order()
        return new

    def _draw_discarded_order(self) -> None:
        # Chainer builds copies and unpickled iterators through __init__, whose
        # reset draws an order that the copied state then replaces; drawing it
        # too keeps the sampler's later orders the same.
        if self.order_sampler is not None:
            self.order_sampler(numpy.arange(len(self.dataset)), 0)
