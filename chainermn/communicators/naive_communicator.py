"""``naive``: one Allreduce per parameter (the simplest; CPU and GPU arrays)."""
from __future__ import annotations

from typing import Any, Sequence

import numpy

from chainermn.communicators import mpi_communicator_base


class NaiveCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """Averages each gradient with its own Allreduce."""

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)

    def _mean_grad_group(self, params: Sequence, dtype: numpy.dtype, gpu: bool) -> None:
        MPI = self._MPI
        for p in params:
            g = p.grad
            if g.dtype != dtype and not gpu:
                # float16, as Chainer's naive communicator: summed in float32 (MPI
                # has no float16 sum), rounded to float16, then scaled in float16.
                work = g.astype(dtype)
                self.mpi_comm.Allreduce(MPI.IN_PLACE, work, op=MPI.SUM)
                g[...] = work
            elif gpu or g.dtype != dtype or not g.flags.c_contiguous:
                super()._mean_grad_group([p], dtype, gpu)
                continue
            else:
                self.mpi_comm.Allreduce(MPI.IN_PLACE, g, op=MPI.SUM)
            g *= g.dtype.type(1.0 / self.size)
