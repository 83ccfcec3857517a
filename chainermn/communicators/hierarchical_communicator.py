"""``hierarchical``: sum on each node, then across nodes, then share on the node."""
from __future__ import annotations

from typing import Any

import numpy

from chainermn.communicators import _communication_utility
from chainermn.communicators import mpi_communicator_base


class HierarchicalCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """Reduce to the first process of each node, Allreduce among those, Bcast on the node.

    Sends one buffer per node over the network instead of one per process.
    """

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)
        self._post_split_init()

    def _post_split_init(self) -> None:
        self.intra_mpi_comm = _communication_utility.init_intra_mpi_comm(
            self.mpi_comm, self.intra_rank, self.inter_rank)
        self.inter_mpi_comm = _communication_utility.init_inter_mpi_comm(
            self.mpi_comm, self.intra_rank, self.inter_rank)

    def _allreduce_sum_buffer(self, flat: numpy.ndarray) -> None:
        MPI = self._MPI
        if self.intra_rank == 0:
            self.intra_mpi_comm.Reduce(MPI.IN_PLACE, flat, op=MPI.SUM, root=0)
            self.inter_mpi_comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
        else:
            self.intra_mpi_comm.Reduce(flat, None, op=MPI.SUM, root=0)
        self.intra_mpi_comm.Bcast(flat, root=0)

    def finalize(self) -> None:
        super().finalize()
        for c in (self.intra_mpi_comm, self.inter_mpi_comm):
            c.Free()
