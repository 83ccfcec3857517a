"""``two_dimensional``: reduce-scatter on the node, Allreduce of the pieces across nodes,
allgather on the node."""
from __future__ import annotations

from typing import Any

import numpy

from chainermn.communicators import hierarchical_communicator


class TwoDimensionalCommunicator(hierarchical_communicator.HierarchicalCommunicator):
    """Each process of a node sums one piece of the buffer across the nodes.

    Needs the same number of processes on every node.
    """

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)

    def _post_split_init(self) -> None:
        super()._post_split_init()
        sizes = self.mpi_comm.allgather(self.intra_size)
        if len(set(sizes)) != 1:
            raise ValueError('the two_dimensional communicator needs the same number of '
                             f'processes on every node, got {sorted(set(sizes))}')

    def _allreduce_sum_buffer(self, flat: numpy.ndarray) -> None:
        MPI = self._MPI
        n, parts = flat.size, self.intra_size
        counts = [n * (i + 1) // parts - n * i // parts for i in range(parts)]
        offsets = [n * i // parts for i in range(parts)]
        piece = numpy.empty(counts[self.intra_rank], dtype=flat.dtype)
        self.intra_mpi_comm.Reduce_scatter(flat, piece, counts, op=MPI.SUM)
        self.inter_mpi_comm.Allreduce(MPI.IN_PLACE, piece, op=MPI.SUM)
        self.intra_mpi_comm.Allgatherv(piece, [flat, (counts, offsets)])
