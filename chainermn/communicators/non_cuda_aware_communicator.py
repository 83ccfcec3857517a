"""``non_cuda_aware``: GPU gradients summed by MPI through host memory."""
from __future__ import annotations

from typing import Any

from chainermn import nccl
from chainermn.communicators import _gpu
from chainermn.communicators import _memory_utility
from chainermn.communicators import mpi_communicator_base

__all__ = ['NonCudaAwareCommunicator', 'nccl']


class NonCudaAwareCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """For an MPI that cannot read GPU memory: pack on the GPU, one copy to the host,
    Allreduce there, one copy back (GPU models only)."""

    def __init__(self, mpi_comm: Any = None) -> None:
        _gpu.require_cuda('non_cuda_aware')
        super().__init__(mpi_comm)

    def multi_node_mean_grad(self, model: Any, zero_fill: bool = False) -> None:
        params = _memory_utility.extract_params_set_grad(model, zero_fill)
        _gpu.check_gpu_params(params, 'non_cuda_aware')
        super().multi_node_mean_grad(model, zero_fill)
