"""Reusable gradient buffers, and the gradient sum of one node through shared memory.

``multi_node_mean_grad`` on the CPU leaves the averaged gradients as views of
the buffer they were summed in (no copy back).  The buffers come from slots
that are written again only once no array made from them is alive: gradients
that a caller keeps are never overwritten by a later call, and the usual
training step (``cleargrads``, backward, mean) reuses one buffer.
"""
from __future__ import annotations

import atexit
import os
import sys
import weakref
from typing import Any, Callable, Sequence

import numpy

from chainermn.communicators import _memory_utility



class _Slot:
    """A reusable byte buffer.

    ``take`` hands out a typed array over it; the slot is busy while that
    array or any view of it is alive.
    """

    def __init__(self, memory: numpy.ndarray) -> None:
        self.memory = memory
        self._carrier: weakref.ref | None = None

    @property
    def busy(self) -> bool:
        return self._carrier is not None and self._carrier() is not None

    def fits(self, nbytes: int) -> bool:
        return not self.busy and self.memory.nbytes >= nbytes

    def take(self, count: int, dtype: numpy.dtype) -> numpy.ndarray:
        # An array over a memoryview is the base of every view taken from it
        # (NumPy collapses view chains to the first array whose base is not an
        # array), so it lives exactly as long as anything handed out of it.
        flat = numpy.frombuffer(memoryview(self.memory), dtype=dtype, count=count)
        self._carrier = weakref.ref(flat)
        return flat


class BufferPool:
    """Private host buffers for packed gradients, reused once their arrays are gone.

    Keeps at most ``keep`` buffers; a buffer dropped from the pool while busy
    lives on as long as the arrays over it.
    """

    def __init__(self, keep: int = 2) -> None:
        self.keep = keep
        self._slots: list = []

    def take(self, count: int, dtype: Any) -> numpy.ndarray:
        """A 1-d array of ``count`` elements that no live array shares memory with."""
        dtype = numpy.dtype(dtype)
        nbytes = count * dtype.itemsize
        for slot in self._slots:
            if slot.fits(nbytes):
                return slot.take(count, dtype)
        slot = _Slot(numpy.empty(nbytes, dtype=numpy.uint8))
        idle = [i for i, s in enumerate(self._slots) if not s.busy]
        if idle:  # free but too small: replace it
            self._slots[idle[0]] = slot
        else:
            self._slots.append(slot)
            del self._slots[:-self.keep]
        return slot.take(count, dtype)

    def clear(self) -> None:
        self._slots.clear()


class _Window:
    """One MPI shared-memory window: a segment per process of the node."""

    def __init__(self, win: Any, node_size: int, rank: int) -> None:
        self.win = win
        self.segments = []
        for q in range(node_size):
            buf, _ = win.Shared_query(q)
            self.segments.append(numpy.frombuffer(buf, dtype=numpy.uint8)
                                 if len(buf) else numpy.empty(0, dtype=numpy.uint8))
        self.slot = _Slot(self.segments[rank])

    def view(self, q: int, count: int, dtype: numpy.dtype) -> numpy.ndarray:
        return self.segments[q][:count * dtype.itemsize].view(dtype)


class SharedMemorySum:
    """Sums packed gradients over the processes of one node in MPI shared-memory windows.

    Every process packs its (scaled) gradients into its own segment of a
    window; after one synchronization process ``r`` sums piece ``r`` of all
    segments and writes the sum into piece ``r`` of every segment; after a
    barrier each segment holds the whole sum and its owner hands out views of
    it.  Besides the pack, that moves about what an ``Allreduce`` moves, with
    no copy back.  A process packs into a segment that no live array uses; when
    it has none, the processes make a new window together (at most
    ``max_windows``, then the sum falls back to an ``Allreduce``).
    """

    max_windows = 4

    def __init__(self, node_comm: Any, MPI: Any) -> None:
        self._node = node_comm
        self._MPI = MPI
        self._windows: list = []
        self._disabled = False
        self._meta = numpy.empty(3, dtype=numpy.int64)
        self._gathered = numpy.empty((node_comm.size, 3), dtype=numpy.int64)
        _live.append(self)

    @classmethod
    def create(cls, mpi_comm: Any, MPI: Any) -> 'SharedMemorySum | None':
        """One for ``mpi_comm`` when all its processes share memory, else None (collective)."""
        try:
            node = mpi_comm.Split_type(MPI.COMM_TYPE_SHARED)
        except (MPI.Exception, NotImplementedError, AttributeError):
            return None
        if node.size != mpi_comm.size:
            node.Free()
            return None
        return cls(node, MPI)

    def mean(self, params: Sequence, dtype: numpy.dtype, scale: float, pool: BufferPool,
             allreduce: Callable[[numpy.ndarray], None]) -> numpy.ndarray:
        """The sum over the node of ``scale`` times the gradients, packed (collective).

        ``allreduce`` sums a packed buffer in place, for when no window can be used.
        """
        node, rank = self._node, self._node.rank
        count = sum(p.size for p in params)
        nbytes = count * dtype.itemsize
        mine = next((i for i, w in enumerate(self._windows) if w.slot.fits(nbytes)), -1)
        flat = None
        if mine >= 0:
            flat = self._windows[mine].slot.take(count, dtype)
            _memory_utility.pack_into(params, 'grad', flat, scale=scale)
        self._meta[:] = (mine, count, dtype.num)
        self._sync(self._windows)
        node.Allgather(self._meta, self._gathered)
        self._sync(self._windows)
        picks = self._gathered[:, 0].copy()
        if (self._gathered[:, 1:] != self._meta[1:]).any():
            raise ValueError(
                'the processes average different gradients: (elements, dtype number) per '
                f'rank {[tuple(row) for row in self._gathered[:, 1:].tolist()]}')
        if (picks < 0).any():
            if not self._add_window(max(nbytes, 1) if mine < 0 else 0):
                if flat is None:
                    flat = pool.take(count, dtype)
                    _memory_utility.pack_into(params, 'grad', flat, scale=scale)
                allreduce(flat)
                return flat
            new = len(self._windows) - 1
            picks[picks < 0] = new
            if mine < 0:
                mine = new
                flat = self._windows[mine].slot.take(count, dtype)
                _memory_utility.pack_into(params, 'grad', flat, scale=scale)
            self._sync(self._windows)
            node.Barrier()
            self._sync(self._windows)
        used = [self._windows[i] for i in sorted(set(picks.tolist()))]
        segments = [flat if q == rank else self._windows[picks[q]].view(q, count, dtype)
                    for q in range(node.size)]
        lo, hi = count * rank // node.size, count * (rank + 1) // node.size
        piece = flat[lo:hi]
        for q in range(node.size):
            if q != rank:
                numpy.add(piece, segments[q][lo:hi], out=piece)
        for q in range(node.size):
            if q != rank:
                segments[q][lo:hi] = piece
        self._sync(used)
        node.Barrier()
        self._sync(used)
        return flat

    def release(self) -> None:
        """Frees the windows that no process of the node still has arrays over, and the
        node communicator once no window is left (collective over the node).

        Windows still in use (gradients handed out as views of them) stay until exit.
        """
        if self._node is None:
            return
        busy = numpy.array([w.slot.busy for w in self._windows], dtype=numpy.int64)
        self._node.Allreduce(self._MPI.IN_PLACE, busy, op=self._MPI.MAX)
        self._free([w for w, b in zip(self._windows, busy) if not b])

    def _free(self, windows: Sequence) -> None:
        for w in windows:
            w.win.Unlock_all()
            w.win.Free()
            w.segments = []
        self._windows = [w for w in self._windows if all(w is not v for v in windows)]
        if not self._windows:
            self._node.Free()
            self._node = None
            _live.remove(self)

    def _sync(self, windows: Sequence) -> None:
        # Memory ordering of the loads and stores around a process synchronization.
        for w in windows:
            w.win.Sync()

    def _add_window(self, nbytes: int) -> bool:
        """Makes a window with a segment of ``nbytes`` here (collective); False when the
        processes cannot (then this object stays out of use)."""
        MPI = self._MPI
        if self._disabled or len(self._windows) >= self.max_windows:
            return False
        nbytes = -(-nbytes // _PAGE) * _PAGE
        total = self._node.allreduce(nbytes, op=MPI.SUM)
        # A full shared-memory file system fails on first touch (SIGBUS), not at
        # allocation: leave room to spare, else keep to Allreduce.
        if not self._node.allreduce(int(_shared_space() >= 2 * total), op=MPI.MIN):
            self._disabled = True
            return False
        win = None
        try:
            info = MPI.Info.Create()
            info.Set('alloc_shared_noncontig', 'true')
            win = MPI.Win.Allocate_shared(nbytes, 1, info=info, comm=self._node)
            info.Free()
            ok = 1
        except MPI.Exception:
            ok = 0
        if not self._node.allreduce(ok, op=MPI.MIN):
            self._disabled = True
            return False
        win.Lock_all(MPI.MODE_NOCHECK)
        self._windows.append(_Window(win, self._node.size, self._node.rank))
        return True


_PAGE = 4096

_live: list = []  # SharedMemorySum objects with MPI resources, in order of creation


def _free_at_exit() -> None:
    """Frees every window and node communicator left before MPI finalizes (MPICH 4.0 aborts
    in ``MPI_Finalize`` over a window left open), in the order the processes made them.

    Skipped after an uncaught exception: the other processes may never come to free.
    """
    if not _live or hasattr(sys, 'last_value') or _live[0]._MPI.Is_finalized():
        return
    for s in list(_live):
        s._free(list(s._windows))


atexit.register(_free_at_exit)


def _shared_space() -> float:
    """Free bytes of the shared-memory file system (infinite where there is none to ask)."""
    try:
        st = os.statvfs('/dev/shm')
    except (OSError, AttributeError):
        return float('inf')
    return st.f_bavail * st.f_frsize
