"""``flat``: every gradient packed into one buffer, summed at once (CPU and GPU arrays)."""
from __future__ import annotations

from typing import Any

from chainermn.communicators import mpi_communicator_base


class FlatCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """Averages the gradients packed into one buffer: one Allreduce, or, when every rank
    is on one node, a sum in MPI shared memory (no copy back)."""

    _shared_memory_mean = True

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)
