"""Snapshot writers: how :func:`~chainer.training.extensions.snapshot` writes its files.

A writer is called as ``writer(filename, outdir, target)``. Every writer saves
through the library's atomic writer (temporary file in ``outdir``, fsync,
rename), so a snapshot file is either complete or absent, whichever thread or
process writes it.
"""
from __future__ import annotations

import atexit
import functools
import os
import queue
import sys
import threading
import traceback
from typing import Any, Callable

from chainer.serializers import hdf5
from chainer.serializers import npz
from chainer.utils import _atomic
from chainer.utils import _fork

__all__ = ['Writer', 'SimpleWriter', 'StandardWriter', 'ThreadWriter', 'ProcessWriter',
           'QueueWriter', 'ThreadQueueWriter', 'ProcessQueueWriter']

# Savers that already write atomically themselves.
_ATOMIC_SAVERS = (npz.save_npz, hdf5.save_hdf5)


class Writer:
    """Base class of snapshot writers.

    Subclasses implement ``__call__(filename, outdir, target)``; :meth:`save`
    does the actual (atomic) writing.
    """

    def __init__(self, fs: Any = None, out_dir: str | None = None) -> None:
        if fs is not None:
            raise NotImplementedError('writing to other file systems is not supported')
        self._post_save_hooks: list = []
        self.fs = fs
        self.out_dir = out_dir

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        raise NotImplementedError

    def initialize(self, outdir: str) -> None:
        """Called with the output directory before the first snapshot."""
        self.out_dir = outdir

    def finalize(self) -> None:
        """Waits for pending writes (nothing to wait for here)."""

    def save(self, filename: str, outdir: str, target: Any, savefun: Callable,
             append: bool = False, **kwds: Any) -> None:
        """Writes ``savefun(path, target, **kwds)`` atomically to ``outdir/filename``."""
        path = os.path.join(outdir, filename)
        if savefun in _ATOMIC_SAVERS:
            _atomic.make_directory(os.path.dirname(path) or '.')
            savefun(path, target, **kwds)
        else:
            # A directory keeps the final name for savers that look at the suffix.
            with _atomic.replacing(path, keep_name=True, create_directory=True) as temp:
                savefun(temp, target, **kwds)
        self._post_save()

    def _add_cleanup_hook(self, hook: Callable[[], Any]) -> None:
        self._post_save_hooks.append(hook)

    def _post_save(self) -> None:
        for hook in self._post_save_hooks:
            hook()


class SimpleWriter(Writer):
    """Writes each snapshot at once, in the training loop.

    Args:
        savefun: ``savefun(path, target, **kwds)`` (default :func:`save_npz`).
        fs: Unsupported; must be None.
        kwds: Extra keyword arguments of ``savefun``.
    """

    def __init__(self, savefun: Callable = npz.save_npz, fs: Any = None, **kwds: Any) -> None:
        super().__init__(fs=fs)
        self._savefun = savefun
        self._kwds = kwds

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        self.save(filename, outdir, target, self._savefun, **self._kwds)


class StandardWriter(Writer):
    """Writes each snapshot in a worker (made by :meth:`create_worker`).

    Only one worker runs at a time: a new snapshot waits for the previous one.
    """

    def __init__(self, savefun: Callable = npz.save_npz, fs: Any = None, **kwds: Any) -> None:
        super().__init__(fs=fs)
        self._savefun = savefun
        self._kwds = kwds
        self._started = False
        self._finalized = False
        self._worker: Any = None
        self._filename: str | None = None

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        if self._started:
            self._worker.join()
            self._started = False
        self._filename = filename
        self._worker = self.create_worker(filename, outdir, target, **self._kwds)
        self._worker.start()
        self._started = True

    def create_worker(self, filename: str, outdir: str, target: Any, **kwds: Any) -> Any:
        """Returns an unstarted worker (with ``start`` and ``join``) that saves."""
        raise NotImplementedError

    def finalize(self) -> None:
        if self._started:
            if not self._finalized:
                self._worker.join()
            self._started = False
        self._finalized = True


class ThreadWriter(StandardWriter):
    """Writes each snapshot in a new thread."""

    def create_worker(self, filename: str, outdir: str, target: Any, **kwds: Any) -> Any:
        return threading.Thread(target=self.save, args=(filename, outdir, target, self._savefun),
                                kwargs=kwds)


class ProcessWriter(StandardWriter):
    """Writes each snapshot in a new process (the target is copied to it)."""

    def create_worker(self, filename: str, outdir: str, target: Any, **kwds: Any) -> Any:
        return _fork.Process(
            target=self.save, args=(filename, outdir, target, self._savefun), kwargs=kwds)


class QueueWriter(Writer):
    """Queues snapshots for one long-lived consumer (made by :meth:`create_consumer`).

    Args:
        savefun: ``savefun(path, target)`` (default :func:`save_npz`).
        task: Callable ``task(filename, outdir, target)`` run for each snapshot
            (default: a :class:`SimpleWriter` with ``savefun``).
        fs: Unsupported; must be None.
        out_dir: Output directory (informational).
    """

    def __init__(self, savefun: Callable = npz.save_npz, task: Callable | None = None,
                 fs: Any = None, out_dir: str | None = None) -> None:
        super().__init__(fs=fs, out_dir=out_dir)
        self._task = self.create_task(savefun) if task is None else task
        self._queue = self.create_queue()
        self._consumer = self.create_consumer(self._queue)
        # A daemon consumer, stopped at exit after the queued snapshots are written,
        # so a writer nobody finalized (its trainer never ran) cannot keep the
        # interpreter from exiting (Chainer's waited forever).
        self._consumer.daemon = True
        self._consumer.start()
        self._at_exit = functools.partial(_stop_consumer, self._queue, self._consumer)
        atexit.register(self._at_exit)
        self._started = True
        self._finalized = False

    def __call__(self, filename: str, outdir: str, target: Any) -> None:
        # The consumer runs the post-save hooks (stale snapshot removal) after
        # the task; they travel with it, since a consumer process was started
        # before any hook was added.
        self._queue.put([self._task, filename, outdir, target, tuple(self._post_save_hooks)])

    def create_task(self, savefun: Callable) -> Callable:
        return SimpleWriter(savefun=savefun)

    def create_queue(self) -> Any:
        raise NotImplementedError

    def create_consumer(self, q: Any) -> Any:
        raise NotImplementedError

    def consume(self, q: Any) -> None:
        """Runs queued tasks until it gets ``None``."""
        while True:
            task = q.get()
            if task is None:
                q.task_done()
                return
            try:
                task[0](task[1], task[2], task[3])
                for hook in task[4] if len(task) > 4 else ():
                    hook()
            except Exception:
                # Reported as a dying thread would be, and the consumer goes on
                # with the next snapshot: a dead consumer left finalize (and the
                # end of training) waiting forever, as Chainer's did.
                sys.stderr.write(f'Exception in {type(self).__name__} writing '
                                 f'{os.path.join(task[2], task[1])!r}:\n')
                traceback.print_exc()
            finally:
                q.task_done()

    def finalize(self) -> None:
        if self._started:
            if not self._finalized:
                atexit.unregister(self._at_exit)
                _stop_consumer(self._queue, self._consumer)
            self._started = False
        self._finalized = True


def _stop_consumer(q: Any, consumer: Any) -> None:
    """Lets ``consumer`` write what is queued, then end."""
    if consumer.is_alive():
        q.put(None)
        q.join()
        consumer.join()


class ThreadQueueWriter(QueueWriter):
    """A :class:`QueueWriter` whose consumer is a thread."""

    def create_queue(self) -> Any:
        return queue.Queue()

    def create_consumer(self, q: Any) -> Any:
        return threading.Thread(target=self.consume, args=(q,))


class ProcessQueueWriter(QueueWriter):
    """A :class:`QueueWriter` whose consumer is a process."""

    def create_queue(self) -> Any:
        return _fork.context().JoinableQueue()

    def create_consumer(self, q: Any) -> Any:
        return _fork.Process(target=self.consume, args=(q,))
