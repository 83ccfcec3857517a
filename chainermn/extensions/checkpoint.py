"""Per-rank checkpoints that let a killed job resume at the newest iteration saved by all."""
from __future__ import annotations

import os
import re
import time
import warnings
from typing import TYPE_CHECKING, Any

from chainer import serializers
from chainer.training import extension

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase


class _CheckpointStats:
    """How long each save took (Chainer's helper of this name): ``start`` and
    ``end`` around a save, ``report`` as one line."""

    def __init__(self) -> None:
        self.timings: list = []
        self.begin: float | None = None

    def start(self) -> None:
        self.begin = time.time()

    def end(self) -> None:
        if self.begin is None:
            return
        self.timings.append({'b': self.begin, 'd': time.time() - self.begin})
        self.begin = None

    def report(self) -> str:
        if not self.timings:
            return 'No stats available'
        d = [t['d'] for t in self.timings]
        return (f'Snapshot duration stats (sec): avg={sum(d) / len(d):f}, '
                f'min={min(d):f}, max={max(d):f}')


class _MultiNodeCheckpointer(extension.Extension):
    """Saves the trainer of each rank as ``<name>.<rank>.<iteration>``; see
    :func:`create_multi_node_checkpointer`."""

    priority = extension.PRIORITY_READER

    def __init__(self, name: str, comm: Any, cp_interval: int = 5, gc_interval: int = 5,
                 path: str | None = None) -> None:
        self.name = name
        self.comm = comm
        self.cp_interval = cp_interval
        self.gc_interval = gc_interval
        self.path = path
        if path is not None:
            os.makedirs(path, exist_ok=True)
        self._pattern = re.compile(re.escape(f'{name}.{comm.rank}.') + r'(\d+)$')
        self._n_saved = 0
        self.stats = _CheckpointStats()
        self._failed = False
        self._trainer_out: str | None = None
        self.files: list = []

    def _dir(self, target: Any) -> str:
        out = getattr(target, 'out', None)  # a trainer's; other targets need a path
        if out is not None:
            self._trainer_out = out
        if self.path is not None:
            return self.path
        if out is None:
            raise ValueError(f'the checkpointer needs a path to save or load a '
                             f'{type(target).__name__} (it has no trainer.out)')
        return out

    def _filename(self, iteration: int) -> str:
        return f'{self.name}.{self.comm.rank}.{iteration}'

    def _iterations(self, directory: str) -> list:
        if not os.path.isdir(directory):
            return []
        found = []
        for entry in os.listdir(directory):
            m = self._pattern.match(entry)
            if m:
                found.append(int(m.group(1)))
        return sorted(found)

    def __call__(self, trainer: Any) -> None:
        self.save(trainer, trainer.updater.iteration)

    def save(self, target: Any, iteration: int) -> None:
        """Saves ``target`` (the trainer, or any serializable object) as
        ``<name>.<rank>.<iteration>``; every rank must call it at the same iteration."""
        self.stats.start()
        directory = self._dir(target)
        os.makedirs(directory, exist_ok=True)
        filename = self._filename(iteration)
        serializers.save_npz(os.path.join(directory, filename), target)  # written atomically
        self.stats.end()
        if filename not in self.files:
            self.files.append(filename)
        self._n_saved += 1
        if self.gc_interval > 0 and self._n_saved % self.gc_interval == 0:
            self._collect_garbage(directory)

    def _collect_garbage(self, directory: str) -> None:
        iterations = self._iterations(directory)
        keep = max(self.cp_interval, 1)
        for it in iterations[:-keep]:
            self._remove(directory, self._filename(it))

    def _remove(self, directory: str, filename: str) -> None:
        try:
            os.remove(os.path.join(directory, filename))
        except FileNotFoundError:
            pass
        if filename in self.files:
            self.files.remove(filename)

    def maybe_load(self, trainer: Any, optimizer: Any = None,
                   path: str | None = None) -> int | None:
        """Loads the newest iteration that every rank has a checkpoint of; returns it (or None).

        ``trainer`` may be any object that :meth:`save` saved.  Every rank must call
        it.  With ``optimizer`` (a multi-node optimizer) its record of the parameters
        is refreshed, so the next update is not skipped.
        """
        if self.path is None:
            self.path = path
        directory = path if path is not None else self._dir(trainer)
        mine = self._iterations(directory)
        self.files = [self._filename(i) for i in mine]
        everyone = self.comm.mpi_comm.allgather(mine)
        common = set(everyone[0]).intersection(*map(set, everyone[1:]))
        if not common:
            return None
        iteration = max(common)
        serializers.load_npz(os.path.join(directory, self._filename(iteration)), trainer)
        if optimizer is not None and hasattr(optimizer, '_remember_params'):
            optimizer._remember_params()
        return iteration

    def get_stats(self) -> str:
        """The mean, least and most seconds a save took, as one line."""
        return self.stats.report()

    def on_error(self, trainer: Any, exc: BaseException, tb: Any) -> None:
        self._failed = True

    def finalize(self) -> None:
        """After training that ended normally, removes the checkpoints of this rank that
        this checkpointer wrote or found; after an error it keeps them to resume from."""
        directory = self.path if self.path is not None else self._trainer_out
        if self._failed or directory is None:
            return
        for filename in list(self.files):
            self._remove(directory, filename)


def create_multi_node_checkpointer(name: str, comm: CommunicatorBase, cp_interval: int = 5,
                                   gc_interval: int = 5, path: str | None = None) -> Any:
    """A trainer extension that checkpoints every rank's trainer (every iteration by
    default) and, through ``maybe_load(trainer, optimizer)`` before ``trainer.run()``,
    resumes a restarted job from the newest iteration that every rank saved.

    Files are ``<name>.<rank>.<iteration>`` in ``path`` (default: ``trainer.out``);
    every ``gc_interval`` saves all but the newest ``cp_interval`` are removed, and
    when training ends normally the remaining ones are removed too.  Deprecated (a
    ``DeprecationWarning``, as in Chainer) in favour of
    :func:`chainermn.extensions.multi_node_snapshot`.
    """
    warnings.warn('create_multi_node_checkpointer is deprecated; use '
                  'chainermn.extensions.multi_node_snapshot instead.', DeprecationWarning)
    return _MultiNodeCheckpointer(name, comm, cp_interval, gc_interval, path)
