"""Rank bookkeeping and helpers shared by the communicators."""
from __future__ import annotations

import pickle
from typing import Any

import numpy

from chainermn import nccl

INT_MAX = 2 ** 31 - 1


def init_ranks(mpi_comm: Any) -> list:
    """``[global_rank, intra_rank, intra_size, inter_rank, inter_size]`` of this process.

    Processes on the same host (same MPI processor name) form a node; nodes are
    numbered in the order of their lowest global rank.
    """
    name = mpi_comm.Get_processor_name() if hasattr(mpi_comm, 'Get_processor_name') else None
    if name is None:
        from chainermn._mpi import get_mpi
        name = get_mpi().Get_processor_name()
    names = mpi_comm.allgather(name)
    hosts: list = []
    for n in names:
        if n not in hosts:
            hosts.append(n)
    rank = mpi_comm.rank
    same = [r for r, n in enumerate(names) if n == name]
    return [rank, same.index(rank), len(same), hosts.index(name), len(hosts)]


def init_intra_mpi_comm(mpi_comm: Any, intra_rank: int, inter_rank: int) -> Any:
    """The communicator of the processes on this node (ordered by intra rank)."""
    return mpi_comm.Split(inter_rank, intra_rank)


def init_inter_mpi_comm(mpi_comm: Any, intra_rank: int, inter_rank: int) -> Any:
    """The communicator of the processes with this intra rank, one per node."""
    return mpi_comm.Split(intra_rank, inter_rank)


def init_nccl_comm(mpi_comm: Any) -> Any:
    """An NCCL communicator over the ranks of ``mpi_comm`` (rank 0 makes the unique id)."""
    uid = nccl.get_unique_id() if mpi_comm.rank == 0 else None
    uid = mpi_comm.bcast(uid, root=0)
    return nccl.NcclCommunicator(mpi_comm.size, uid, mpi_comm.rank)


def inter_allreduce_gpu(inter_mpi_comm: Any, size: int, gpu_buffer_a: Any, gpu_buffer_b: Any,
                        n_bytes_buffer: int, n_elems_per_node: int, n_bytes_per_node: int,
                        cuda_stream: Any) -> None:
    """Sums ``gpu_buffer_a`` over the nodes through host memory and divides by ``size``.

    The result is left in ``gpu_buffer_b`` (both are CuPy arrays or DeviceMemory).
    """
    a = gpu_buffer_a.array(n_elems_per_node) if hasattr(gpu_buffer_a, 'array') else gpu_buffer_a
    host = a.get(stream=cuda_stream) if cuda_stream is not None else a.get()
    inter_mpi_comm.Allreduce(_in_place(), host)
    host *= host.dtype.type(1.0 / size)
    b = gpu_buffer_b.array(n_elems_per_node) if hasattr(gpu_buffer_b, 'array') else gpu_buffer_b
    b.set(host)


def _in_place() -> Any:
    from chainermn._mpi import get_mpi
    return get_mpi().IN_PLACE


def chunked_bcast_obj(obj: Any, mpi_comm: Any, max_buf_len: int = 256 * 1024 * 1024,
                      root: int = 0) -> Any:
    """Broadcasts a picklable object of any size in pieces of at most ``max_buf_len`` bytes
    (None: 256 MiB; as in Chainer, a length outside 1 to ``INT_MAX - 1`` is an
    AssertionError)."""
    if max_buf_len is None:
        max_buf_len = 256 * 1024 * 1024
    if not 0 < max_buf_len < INT_MAX:
        raise AssertionError(f'max_buf_len must be between 1 and {INT_MAX - 1}, not '
                             f'{max_buf_len}')
    if mpi_comm.rank == root:
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        n = len(data)
    else:
        data = None
        n = None
    n = mpi_comm.bcast(n, root=root)
    buf = numpy.frombuffer(data, dtype=numpy.uint8).copy() if mpi_comm.rank == root \
        else numpy.empty(n, dtype=numpy.uint8)
    for start in range(0, n, max_buf_len):
        mpi_comm.Bcast(buf[start:start + max_buf_len], root=root)
    if mpi_comm.rank == root:
        return obj
    return pickle.loads(buf.tobytes())
