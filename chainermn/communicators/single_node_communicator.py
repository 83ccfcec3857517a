"""``single_node``: every process on one machine (checked at creation)."""
from __future__ import annotations

from typing import Any

from chainermn.communicators import mpi_communicator_base


class SingleNodeCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """A flat communicator that refuses to run over more than one node."""

    _shared_memory_mean = True

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)
        if self.inter_size != 1:
            raise ValueError('the single_node communicator runs on one node only, '
                             f'this job spans {self.inter_size}')
