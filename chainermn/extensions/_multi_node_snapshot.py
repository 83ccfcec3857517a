"""Snapshots written once per set of identical ranks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import serializers
from chainer.training import extension
from chainer.training.extensions._snapshot import _find_latest_snapshot

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase


def _parse_replica_sets(replica_sets: Any, size: int) -> list[set]:
    """The replica sets as sets of ranks (an int is a set of one), the ranks not
    listed forming one more set, as Chainer's helper of the same name."""
    sets = []
    seen: set = set()
    for entry in replica_sets:
        ranks = {entry} if isinstance(entry, int) else {int(r) for r in entry}
        for r in sorted(ranks):
            if not 0 <= r < size:
                raise ValueError(f'rank {r} in replica_sets is out of range (size {size})')
            if r in seen:
                raise ValueError(f'rank {r} appears in two replica sets')
        seen |= ranks
        sets.append(ranks)
    rest = set(range(size)) - seen
    if rest:
        sets.append(rest)
    return sets


class _MultiNodeSnapshot(extension.Extension):
    """Runs ``snapshot`` on the first rank of each replica set; with autoload, when that
    rank found a snapshot, the other ranks of the set receive the loaded state.

    As Chainer's, the wrapper is an extension of its own: its name is
    ``_MultiNodeSnapshot`` (the key of its state in the trainer's snapshots) and
    its default trigger and priority are those of any extension.
    """

    def __init__(self, comm: Any, snapshot: Any, replica_sets: Any) -> None:
        self.comm = comm
        self.snapshot = snapshot
        # as Chainer: each writer's file name ends in '.<rank>' (sets share a directory)
        filename = getattr(snapshot, 'filename', None)
        if callable(filename):
            def append_rank(trainer: Any, _filename: Any = filename, _rank: int = comm.rank) -> str:
                return f'{_filename(trainer)}.{_rank}'
            snapshot.filename = append_rank
        elif filename is not None:
            snapshot.filename = f'{filename}.{comm.rank}'
        self.replica_sets = _parse_replica_sets(replica_sets, comm.size)
        color = next(i for i, s in enumerate(self.replica_sets) if comm.rank in s)
        self.replica_set = self.replica_sets[color]
        self.master = min(self.replica_set)
        self.is_master = comm.rank == self.master
        self._color = color

    def initialize(self, trainer: Any) -> None:
        if self.is_master and hasattr(self.snapshot, 'initialize'):
            self.snapshot.initialize(trainer)
        if not getattr(self.snapshot, 'autoload', False):
            return
        target = getattr(self.snapshot, '_target', None)
        if target is None:
            target = trainer
        set_comm = self.comm.mpi_comm.Split(self._color, self.comm.rank)
        try:
            if set_comm.size == 1:
                return
            state = None
            # as Chainer: the state goes out only when the writer found a snapshot
            if self.is_master and _find_latest_snapshot(self.snapshot.filename,
                                                        trainer.out) is not None:
                ser = serializers.DictionarySerializer()
                ser.save(target)
                state = ser.target
            state = set_comm.bcast(state, root=0)
        finally:
            set_comm.Free()
        if not self.is_master and state is not None:
            serializers.NpzDeserializer(state).load(target)

    def __call__(self, trainer: Any) -> None:
        if self.is_master:
            self.snapshot(trainer)

    def on_error(self, trainer: Any, exc: BaseException, tb: Any) -> None:
        if self.is_master and hasattr(self.snapshot, 'on_error'):
            self.snapshot.on_error(trainer, exc, tb)

    def finalize(self) -> None:
        if self.is_master and hasattr(self.snapshot, 'finalize'):
            self.snapshot.finalize()


def multi_node_snapshot(comm: CommunicatorBase, snapshot: Any, replica_sets: Any) -> Any:
    """Wraps a ``snapshot`` extension for ranks that hold copies of the same state.

    ``replica_sets`` lists sets of ranks (an int is a set of one; the ranks not
    listed form one more set); only the lowest rank of each set writes, to the
    snapshot's file name with ``.<rank>`` appended, and when the snapshot
    autoloads, that rank loads and sends the state to the rest of its set.
    """
    return _MultiNodeSnapshot(comm, snapshot, replica_sets)
