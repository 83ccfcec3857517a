"""``flat``: every gradient packed into one buffer, one Allreduce (CPU and GPU arrays)."""
from __future__ import annotations

from typing import Any

from chainermn.communicators import mpi_communicator_base


class FlatCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """Averages the gradients with a single Allreduce of one packed buffer."""

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)
