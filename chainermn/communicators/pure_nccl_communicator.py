"""``pure_nccl``: gradients averaged by one NCCL all-reduce on the GPUs."""
from __future__ import annotations

from typing import Any

import numpy

import chainer
from chainermn import nccl
from chainermn.communicators import _communication_utility
from chainermn.communicators import _gpu
from chainermn.communicators import _memory_utility
from chainermn.communicators import mpi_communicator_base

__all__ = ['PureNcclCommunicator', 'nccl']

_NCCL_DTYPES = {'float16': 'NCCL_FLOAT16', 'float32': 'NCCL_FLOAT32', 'float64': 'NCCL_FLOAT64'}


class PureNcclCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """Packs the GPU gradients into one buffer and sums it with ``ncclAllReduce``.

    ``allreduce_grad_dtype`` (float16/32/64) sets the dtype the buffer travels
    in; by default that of the gradients.  Array and object collectives go over MPI.
    """

    def __init__(self, mpi_comm: Any = None) -> None:
        _gpu.require_cuda('pure_nccl')
        super().__init__(mpi_comm)
        self.nccl_comm = None
        with self.config_scope():  # an attribute and an option, as in Chainer
            self.allreduce_grad_dtype = None
        self._gpu_buffer_a = None

    def set_config(self, name: str, value: Any = True, **kwargs: Any) -> None:
        if name == 'allreduce_grad_dtype':
            if value is not None:
                value = numpy.dtype(value)
                if value.name not in _NCCL_DTYPES:
                    raise ValueError('allreduce_grad_dtype must be float16, float32 or '
                                     f'float64, got {value}')
            with self.config_scope():
                self.allreduce_grad_dtype = value
            return
        super().set_config(name, value, **kwargs)

    def _init_comms(self) -> None:
        if self.nccl_comm is None:
            self.nccl_comm = _communication_utility.init_nccl_comm(self.mpi_comm)

    def _post_split_init(self) -> None:
        self.nccl_comm = None
        self._gpu_buffer_a = None
        with self.config_scope():
            self.allreduce_grad_dtype = self._configs.get('allreduce_grad_dtype')

    def finalize(self) -> None:
        super().finalize()
        if self.nccl_comm is not None:
            self.nccl_comm.destroy()
            self.nccl_comm = None

    def _nccl_allreduce_mean(self, flat: Any, stream: Any) -> None:
        self.nccl_comm.allReduce(flat.data.ptr, flat.data.ptr, flat.size,
                                 getattr(nccl, _NCCL_DTYPES[flat.dtype.name]),
                                 nccl.NCCL_SUM, stream.ptr)
        flat *= flat.dtype.type(1.0 / self.size)

    def multi_node_mean_grad(self, model: Any, zero_fill: bool = False) -> None:
        cupy = _gpu.require_cuda('pure_nccl')
        self._init_comms()
        params = _memory_utility.extract_params_set_grad(model, zero_fill)
        _gpu.check_gpu_params(params, 'pure_nccl')
        if not params:
            return
        wanted = self._configs.get('allreduce_grad_dtype')
        groups: dict = {}
        for p in params:
            dtype = numpy.dtype(wanted) if wanted is not None else p.grad.dtype
            groups.setdefault(dtype.str, []).append(p)
        stream = cupy.cuda.get_current_stream()
        if self._gpu_buffer_a is None:
            self._gpu_buffer_a = {}
        for dtype, group in sorted(groups.items()):
            mem = self._gpu_buffer_a.get(dtype)
            if mem is None:
                mem = self._gpu_buffer_a[dtype] = _memory_utility.DeviceMemory()
            flat = _memory_utility.pack_params(group, 'grad', mem, dtype, zero_fill)
            self._nccl_allreduce_mean(flat, stream)
            _memory_utility.unpack_params(group, 'grad', mem, dtype, zero_fill)
        if chainer.is_debug():
            mpi_communicator_base._ensure_all_finite(params)

    def bcast_data(self, model: Any) -> None:
        cupy = _gpu.require_cuda('pure_nccl')
        self._init_comms()
        params = _memory_utility.extract_params_set_data(model)
        _gpu.check_gpu_params(params, 'pure_nccl')
        groups: dict = {}
        for p in params:
            groups.setdefault(p.array.dtype, []).append(p)
        if any(dtype.name not in _NCCL_DTYPES for dtype in groups):
            super().bcast_data(model)  # other dtypes: over MPI through the host
            return
        stream = cupy.cuda.get_current_stream()
        for dtype, group in sorted(groups.items(), key=lambda item: item[0].str):
            mem = _memory_utility.DeviceMemory()
            flat = _memory_utility.pack_params(group, 'data', mem, dtype)
            self.nccl_comm.bcast(flat.data.ptr, flat.size,
                                 getattr(nccl, _NCCL_DTYPES[dtype.name]), 0, stream.ptr)
            _memory_utility.unpack_params(group, 'data', mem, dtype)
