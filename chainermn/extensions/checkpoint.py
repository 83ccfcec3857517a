"""Per-rank checkpoints that let a killed job resume at the newest iteration saved by all."""
from __future__ import annotations

import os
import re
import time
from typing import Any

from chainer import serializers
from chainer.training import extension


class _MultiNodeCheckpointer(extension.Extension):
    """Saves the trainer of each rank as ``<name>.<rank>.<iteration>``; see
    :func:`create_multi_node_checkpointer`."""

    trigger = 1, 'epoch'
    priority = -100
    name = None

    def __init__(self, name: str, comm: Any, cp_interval: int = 5, gc_interval: int = 5,
                 path: str | None = None) -> None:
        self.name = name
        self.comm = comm
        self.cp_interval = cp_interval
        self.gc_interval = gc_interval
        self.path = path
        self._pattern = re.compile(re.escape(f'{name}.{comm.rank}.') + r'(\d+)$')
        self._n_saved = 0
        self.stats = {'saves': 0, 'save_time': 0.0, 'loads': 0, 'load_time': 0.0}

    @property
    def default_name(self) -> str:
        return f'multi_node_checkpointer_{self.name}'

    def _dir(self, trainer: Any) -> str:
        return self.path if self.path is not None else trainer.out

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
        start = time.time()
        directory = self._dir(trainer)
        path = os.path.join(directory, self._filename(trainer.updater.iteration))
        serializers.save_npz(path, trainer)  # written atomically
        self._n_saved += 1
        self.stats['saves'] += 1
        self.stats['save_time'] += time.time() - start
        if self.gc_interval > 0 and self._n_saved % self.gc_interval == 0:
            self._collect_garbage(directory)

    def _collect_garbage(self, directory: str) -> None:
        iterations = self._iterations(directory)
        keep = max(self.cp_interval, 1)
        for it in iterations[:-keep]:
            try:
                os.remove(os.path.join(directory, self._filename(it)))
            except FileNotFoundError:
                pass

    def maybe_load(self, trainer: Any, optimizer: Any = None,
                   path: str | None = None) -> int | None:
        """Loads the newest iteration that every rank has a checkpoint of; returns it (or None).

        Every rank must call it.  With ``optimizer`` (a multi-node optimizer) its
        record of the parameters is refreshed, so the next update is not skipped.
        """
        start = time.time()
        directory = path if path is not None else self._dir(trainer)
        mine = self._iterations(directory)
        everyone = self.comm.mpi_comm.allgather(mine)
        common = set(everyone[0]).intersection(*map(set, everyone[1:]))
        if not common:
            return None
        iteration = max(common)
        serializers.load_npz(os.path.join(directory, self._filename(iteration)), trainer)
        if optimizer is not None and hasattr(optimizer, '_remember_params'):
            optimizer._remember_params()
        self.stats['loads'] += 1
        self.stats['load_time'] += time.time() - start
        return iteration

    def get_stats(self) -> dict:
        """Counts and seconds spent saving and loading."""
        return dict(self.stats)

    def finalize(self) -> None:
        pass


def create_multi_node_checkpointer(name: str, comm: Any, cp_interval: int = 5,
                                   gc_interval: int = 5, path: str | None = None) -> Any:
    """A trainer extension that checkpoints every rank's trainer (every epoch by default)
    and, through ``maybe_load(trainer, optimizer)`` before ``trainer.run()``, resumes a
    restarted job from the newest iteration that every rank saved.

    Files are ``<name>.<rank>.<iteration>`` in ``path`` (default: ``trainer.out``);
    every ``gc_interval`` saves all but the newest ``cp_interval`` are removed.
    """
    return _MultiNodeCheckpointer(name, comm, cp_interval, gc_interval, path)
