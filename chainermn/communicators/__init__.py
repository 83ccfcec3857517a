"""Communicators: ``create_communicator(name, mpi_comm)`` and the classes behind the names."""
from __future__ import annotations

from typing import Any

from chainermn.communicators.communicator_base import CommunicatorBase

_NAMES = ('naive', 'flat', 'hierarchical', 'two_dimensional', 'single_node',
          'non_cuda_aware', 'pure_nccl', 'dummy')


def _communicator_class(name: str) -> type:
    if name == 'naive':
        from chainermn.communicators.naive_communicator import NaiveCommunicator as cls
    elif name == 'flat':
        from chainermn.communicators.flat_communicator import FlatCommunicator as cls
    elif name == 'hierarchical':
        from chainermn.communicators.hierarchical_communicator import \
            HierarchicalCommunicator as cls
    elif name == 'two_dimensional':
        from chainermn.communicators.two_dimensional_communicator import \
            TwoDimensionalCommunicator as cls
    elif name == 'single_node':
        from chainermn.communicators.single_node_communicator import \
            SingleNodeCommunicator as cls
    elif name == 'non_cuda_aware':
        from chainermn.communicators.non_cuda_aware_communicator import \
            NonCudaAwareCommunicator as cls
    elif name == 'pure_nccl':
        from chainermn.communicators.pure_nccl_communicator import PureNcclCommunicator as cls
    elif name == 'dummy':
        from chainermn.communicators.dummy_communicator import DummyCommunicator as cls
    else:
        raise ValueError(f'unknown communicator {name!r}; choose one of {", ".join(_NAMES)}')
    return cls


def create_communicator(communicator_name: str = 'pure_nccl', mpi_comm: Any = None,
                        **kwargs: Any) -> CommunicatorBase:
    """Makes a communicator over ``mpi_comm`` (``MPI.COMM_WORLD`` by default).

    ``naive``, ``flat``, ``hierarchical``, ``two_dimensional``, ``single_node``
    and ``dummy`` run on NumPy and CuPy arrays over MPI; ``pure_nccl`` (NCCL)
    and ``non_cuda_aware`` need CuPy and a GPU.  Keyword options:
    ``allreduce_grad_dtype`` (``pure_nccl`` only) and ``batched_copy``.
    """
    allreduce_grad_dtype = kwargs.pop('allreduce_grad_dtype', None)
    batched_copy = kwargs.pop('batched_copy', True)
    if kwargs:
        raise TypeError(f'create_communicator() got unexpected keyword arguments {sorted(kwargs)}')
    if communicator_name != 'pure_nccl' and allreduce_grad_dtype is not None:
        raise ValueError("allreduce_grad_dtype is only available with the 'pure_nccl' "
                         'communicator')
    cls = _communicator_class(communicator_name)
    if mpi_comm is None:
        from chainermn._mpi import get_mpi
        mpi_comm = get_mpi().COMM_WORLD
    comm = cls(mpi_comm=mpi_comm)
    if communicator_name == 'pure_nccl':
        comm.set_config('allreduce_grad_dtype', allreduce_grad_dtype)
    comm.set_config('batched_copy', batched_copy)
    return comm


__all__ = ['CommunicatorBase', 'create_communicator']
