"""The MPI implementation of every collective; subclasses choose how gradients are summed."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Sequence

import numpy

import chainer
from chainer import backend
from chainer.utils import experimental
from chainer.utils.array import compute_dtype
from chainermn._mpi import get_mpi
from chainermn.communicators import _communication_utility
from chainermn.communicators import _memory_utility
from chainermn.communicators import _shared_memory
from chainermn.communicators import communicator_base
from chainermn.communicators._communication_utility import chunked_bcast_obj, INT_MAX

CommunicatorBase = communicator_base.CommunicatorBase

__all__ = ['MpiCommunicatorBase', 'chunked_bcast_obj', 'communicator_base']

_DEFAULT_MAX_BUF_LEN = 256 * 1024 * 1024


def _ensure_all_finite(params: Sequence) -> None:
    """In debug mode, as Chainer: a mean gradient with NaN or infinity is an error
    (raised on every rank, which all hold the same means)."""
    for p in params:
        if p.grad is not None and not bool(backend.get_array_module(p.grad).isfinite(p.grad).all()):
            raise ValueError(f'Parameters diverged after allreduce: the mean gradient of a '
                             f'parameter of shape {tuple(p.shape)} holds NaN or infinity')


def _is_gpu(x: Any) -> bool:
    return backend.get_array_module(x) is not numpy


def _host(x: Any) -> numpy.ndarray:
    """A C-contiguous NumPy copy (or view) of a NumPy or CuPy array."""
    if _is_gpu(x):
        x = x.get()
    x = numpy.asarray(x)
    return x if x.flags.c_contiguous else numpy.array(x, order='C')


def _bytes(x: numpy.ndarray) -> numpy.ndarray:
    return x.reshape(-1).view(numpy.uint8)


def _header(x: numpy.ndarray, gpu: bool) -> tuple:
    if x.dtype.hasobject:
        raise TypeError('object arrays cannot be communicated as arrays; use the *_obj methods')
    return tuple(x.shape), x.dtype.str, gpu


def _from_header(header: tuple) -> numpy.ndarray:
    shape, dtype, _ = header
    return numpy.empty(shape, dtype=numpy.dtype(dtype))


def _to_device(x: numpy.ndarray, gpu: bool) -> Any:
    if not gpu:
        return x
    from chainer.backends import cuda
    if not cuda.available:
        return x
    return cuda.to_gpu(x)


def _is_array(x: Any) -> bool:
    return isinstance(x, numpy.ndarray) or _is_gpu(x)


def _check_message(op: str, x: Any) -> bool:
    """True for an iterable of arrays, False for an array; raises as Chainer does otherwise
    (ValueError for other iterables, e.g. a string or a list of numbers; TypeError else)."""
    if _is_array(x):
        return False
    if isinstance(x, Iterable):
        if all(_is_array(e) for e in x):
            return True
        raise ValueError(f'{op}: all message objects must be either NumPy or CuPy arrays')
    raise TypeError(f'{op} takes a NumPy or CuPy array or a tuple of them, '
                    f'not {type(x).__name__}')


def _check_one_array(op: str, x: Any) -> None:
    """Raises as Chainer does when a single-array collective gets a tuple or a non-array."""
    if _check_message(op, x):
        raise TypeError(f'{op} cannot handle tuple data')


def _offsets(counts: Sequence[int]) -> list:
    out, total = [], 0
    for c in counts:
        out.append(total)
        total += c
    return out


def _check_int(counts: Sequence[int]) -> None:
    if sum(counts) > INT_MAX:
        raise ValueError(f'a collective of {sum(counts)} bytes exceeds the MPI limit of '
                         f'{INT_MAX} bytes per call')


class MpiCommunicatorBase(CommunicatorBase):
    """A communicator over an ``mpi4py`` communicator (``mpi_comm``, COMM_WORLD by default)."""

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__()
        MPI = get_mpi()
        self._MPI = MPI
        self.mpi_comm = MPI.COMM_WORLD if mpi_comm is None else mpi_comm
        ranks = _communication_utility.init_ranks(self.mpi_comm)
        (_, self._intra_rank, self._intra_size,
         self._inter_rank, self._inter_size) = ranks
        self._host_buffers: dict = {}
        self._device_buffers: dict = {}
        self._grad_pool = _shared_memory.BufferPool()
        self._shared: _shared_memory.SharedMemorySum | None = None
        self._owns_mpi_comm = False
        self._configs.setdefault('batched_copy', True)

    # ---- ranks ----
    @property
    def rank(self) -> int:
        return self.mpi_comm.rank

    @property
    def size(self) -> int:
        return self.mpi_comm.size

    @property
    def intra_rank(self) -> int:
        return self._intra_rank

    @property
    def intra_size(self) -> int:
        return self._intra_size

    @property
    def inter_rank(self) -> int:
        return self._inter_rank

    @property
    def inter_size(self) -> int:
        return self._inter_size

    @property
    def batched_copy(self) -> bool:
        """Whether gradients are packed into one buffer by one batched copy."""
        return self._configs['batched_copy']

    @batched_copy.setter
    def batched_copy(self, value: bool) -> None:
        self._configs['batched_copy'] = value

    def set_config(self, name: str, value: Any = True, **kwargs: Any) -> None:
        if name == 'batched_copy':
            self._configs[name] = value
            return
        super().set_config(name, value, **kwargs)

    def __repr__(self) -> str:
        return f'<{type(self).__name__} rank {self.rank} of {self.size}>'

    def split(self, color: int, key: int) -> 'MpiCommunicatorBase':
        new = type(self).__new__(type(self))
        MpiCommunicatorBase.__init__(new, self.mpi_comm.Split(color, key))
        new._owns_mpi_comm = True  # freed by its finalize()
        new._configs = dict(self._configs)
        new._post_split_init()
        return new

    def _post_split_init(self) -> None:
        """Subclasses that hold more state than the ranks set it up here after split."""

    def finalize(self) -> None:
        self._host_buffers.clear()
        self._device_buffers.clear()
        self._grad_pool.clear()
        if self._shared is not None:
            self._shared.release()
            self._shared = None
        if self._owns_mpi_comm and self.mpi_comm != self._MPI.COMM_NULL:
            self.mpi_comm.Free()

    # ---- arrays between two ranks ----
    def send(self, data: Any, dest: int, tag: int) -> None:
        experimental('chainermn.communicators.MpiCommunicatorBase.send')
        is_tuple = _check_message('send', data)
        arrays = tuple(data) if is_tuple else (data,)
        gpu = [_is_gpu(a) for a in arrays]
        hosts = [_host(a) for a in arrays]
        headers = [_header(h, g) for h, g in zip(hosts, gpu)]
        self.mpi_comm.send((is_tuple, headers), dest=dest, tag=tag)
        for h in hosts:
            self.mpi_comm.Send(_bytes(h), dest=dest, tag=tag)

    def recv(self, source: int, tag: int) -> Any:
        experimental('chainermn.communicators.MpiCommunicatorBase.recv')
        is_tuple, headers = self.mpi_comm.recv(source=source, tag=tag)
        out = []
        for header in headers:
            buf = _from_header(header)
            self.mpi_comm.Recv(_bytes(buf), source=source, tag=tag)
            out.append(_to_device(buf, header[2]))
        return tuple(out) if is_tuple else out[0]

    # ---- array collectives ----
    def bcast(self, x: Any, root: int = 0, *, max_buf_len: int | None = None) -> Any:
        experimental('chainermn.communicators.MpiCommunicatorBase.bcast')
        if self.rank == root:
            try:
                _check_one_array('bcast', x)
                gpu = _is_gpu(x)
                host = _host(x)
                header = _header(host, gpu)
            except (TypeError, ValueError) as e:
                # The other ranks raise too instead of waiting for an array.
                self.mpi_comm.bcast(('error', type(e), str(e)), root=root)
                raise
        else:
            header = None
        header = self.mpi_comm.bcast(header, root=root)
        if self.rank != root:
            if header[0] == 'error':
                raise header[1](f'bcast: the root rank {root} failed: {header[2]}')
            host = _from_header(header)
        chunk = INT_MAX if not max_buf_len else min(max_buf_len, INT_MAX)
        raw = _bytes(host)
        for start in range(0, max(raw.size, 1), chunk):
            self.mpi_comm.Bcast(raw[start:start + chunk], root=root)
        if self.rank == root:
            return x
        return _to_device(host, header[2])

    def gather(self, x: Any, root: int = 0) -> Any:
        experimental('chainermn.communicators.MpiCommunicatorBase.gather')
        _check_one_array('gather', x)
        host = _host(x)
        headers = self.mpi_comm.gather(_header(host, _is_gpu(x)), root=root)
        if self.rank != root:
            self.mpi_comm.Gatherv(_bytes(host), None, root=root)
            return None
        outs = [_from_header(h) for h in headers]
        counts = [o.nbytes for o in outs]
        _check_int(counts)
        recv = numpy.empty(sum(counts), dtype=numpy.uint8)
        self.mpi_comm.Gatherv(_bytes(host), [recv, counts, _offsets(counts), self._MPI.BYTE],
                              root=root)
        return self._split_bytes(recv, outs, headers)

    def _split_bytes(self, raw: numpy.ndarray, outs: list, headers: Sequence) -> tuple:
        offset = 0
        result = []
        for out, header in zip(outs, headers):
            n = out.nbytes
            _bytes(out)[...] = raw[offset:offset + n]
            offset += n
            result.append(_to_device(out, header[2]))
        return tuple(result)

    def allgather(self, x: Any) -> tuple:
        experimental('chainermn.communicators.MpiCommunicatorBase.allgather')
        _check_one_array('allgather', x)
        host = _host(x)
        headers = self.mpi_comm.allgather(_header(host, _is_gpu(x)))
        outs = [_from_header(h) for h in headers]
        counts = [o.nbytes for o in outs]
        _check_int(counts)
        recv = numpy.empty(sum(counts), dtype=numpy.uint8)
        self.mpi_comm.Allgatherv(_bytes(host), [recv, counts, _offsets(counts), self._MPI.BYTE])
        return self._split_bytes(recv, outs, headers)

    def alltoall(self, xs: Any) -> tuple:
        experimental('chainermn.communicators.MpiCommunicatorBase.alltoall')
        if len(xs) != self.size:
            raise ValueError(f'alltoall needs one array per rank ({self.size}), got {len(xs)}')
        for x in xs:
            _check_one_array('alltoall', x)
        hosts = [_host(x) for x in xs]
        headers = self.mpi_comm.alltoall([_header(h, _is_gpu(x)) for h, x in zip(hosts, xs)])
        send_counts = [h.nbytes for h in hosts]
        send = numpy.concatenate([_bytes(h) for h in hosts]) if hosts else numpy.empty(0, 'u1')
        outs = [_from_header(h) for h in headers]
        recv_counts = [o.nbytes for o in outs]
        _check_int(send_counts)
        _check_int(recv_counts)
        recv = numpy.empty(sum(recv_counts), dtype=numpy.uint8)
        self.mpi_comm.Alltoallv([send, send_counts, _offsets(send_counts), self._MPI.BYTE],
                                [recv, recv_counts, _offsets(recv_counts), self._MPI.BYTE])
        return self._split_bytes(recv, outs, headers)

    def allreduce(self, x: Any) -> Any:
        _check_one_array('allreduce', x)
        if x.dtype.kind not in 'iufc':  # no MPI sum of booleans, strings, dates...
            raise TypeError(f'allreduce does not support dtype {x.dtype}')
        gpu = _is_gpu(x)
        host = _host(x)
        work = host.astype(compute_dtype(host.dtype))  # MPI has no float16 sum
        out = numpy.empty_like(work)
        self.mpi_comm.Allreduce(work, out, op=self._MPI.SUM)
        return _to_device(out.astype(host.dtype, copy=False), gpu)

    def scatter(self, xs: Any, root: int = 0) -> Any:
        experimental('chainermn.communicators.CommunicatorBase.scatter')
        if self.rank == root:
            _check_message('scatter', xs)
            if len(xs) != self.size:
                raise ValueError(
                    f'scatter needs one array per rank ({self.size}), got {len(xs)}')
            hosts = [_host(x) for x in xs]
            headers = [_header(h, _is_gpu(x)) for h, x in zip(hosts, xs)]
        else:
            headers = None
        header = self.mpi_comm.scatter(headers, root=root)
        out = _from_header(header)
        if self.rank == root:
            counts = [h.nbytes for h in hosts]
            _check_int(counts)
            send = numpy.concatenate([_bytes(h) for h in hosts])
            self.mpi_comm.Scatterv([send, counts, _offsets(counts), self._MPI.BYTE],
                                   _bytes(out), root=root)
        else:
            self.mpi_comm.Scatterv(None, _bytes(out), root=root)
        return _to_device(out, header[2])

    # ---- objects ----
    def send_obj(self, obj: Any, dest: int, tag: int = 0) -> None:
        self.mpi_comm.send(obj, dest=dest, tag=tag)

    def recv_obj(self, source: int, status: Any = None, tag: Any = None) -> Any:
        if tag is None:
            tag = self._MPI.ANY_TAG
        return self.mpi_comm.recv(source=source, status=status, tag=tag)

    def bcast_obj(self, obj: Any, max_buf_len: int | None = _DEFAULT_MAX_BUF_LEN,
                  root: int = 0) -> Any:
        return chunked_bcast_obj(obj, self.mpi_comm, max_buf_len=max_buf_len, root=root)

    def gather_obj(self, obj: Any, root: int = 0) -> Any:
        return self.mpi_comm.gather(obj, root=root)

    def allreduce_obj(self, obj: Any) -> Any:
        return self.mpi_comm.allreduce(obj, op=self._MPI.SUM)

    def scatter_obj(self, obj: Any, root: int = 0) -> Any:
        return self.mpi_comm.scatter(obj, root=root)

    def allgather_obj(self, obj: Any) -> list:
        """A list of every rank's object, on every rank."""
        return self.mpi_comm.allgather(obj)

    # ---- models ----
    def _buffer(self, store: dict, key: Any, factory: Any) -> Any:
        buf = store.get(key)
        if buf is None:
            buf = store[key] = factory()
        return buf

    def _groups(self, params: Sequence, attr: str) -> dict:
        """Parameters grouped by (transfer dtype, on GPU), in name order."""
        groups: dict = {}
        for p in params:
            a = p.array if attr == 'data' else p.grad
            key = (compute_dtype(a.dtype).str, _is_gpu(a))
            groups.setdefault(key, []).append(p)
        return groups

    def _pack(self, params: Sequence, attr: str, dtype: str, gpu: bool,
              zero_fill: bool = False) -> numpy.ndarray:
        """The arrays of ``params`` in one host buffer (staged through the GPU when there)."""
        host_mem = self._buffer(self._host_buffers, (attr, dtype),
                                _memory_utility.HostPinnedMemory)
        if not gpu:
            return _memory_utility.pack_params(params, attr, host_mem, dtype, zero_fill)
        dev_mem = self._buffer(self._device_buffers, (attr, dtype), _memory_utility.DeviceMemory)
        flat_dev = _memory_utility.pack_params(params, attr, dev_mem, dtype, zero_fill)
        flat = host_mem.array(flat_dev.size, dtype)
        flat_dev.get(out=flat)
        return flat

    def _unpack(self, params: Sequence, attr: str, flat: numpy.ndarray, dtype: str, gpu: bool,
                zero_fill: bool = False, scale: float | None = None) -> None:
        if not gpu:
            _memory_utility.unpack_params(params, attr, flat, dtype, zero_fill, scale=scale)
            return
        dev_mem = self._device_buffers[(attr, dtype)]
        flat_dev = dev_mem.array(flat.size, dtype)
        flat_dev.set(flat)
        _memory_utility.unpack_params(params, attr, flat_dev, dtype, zero_fill, scale=scale)

    def bcast_data(self, model: Any) -> None:
        params = _memory_utility.extract_params_set_data(model)
        for (dtype, gpu), group in sorted(self._groups(params, 'data').items()):
            flat = self._pack(group, 'data', dtype, gpu)
            self.mpi_comm.Bcast(flat, root=0)
            self._unpack(group, 'data', flat, dtype, gpu)

    def multi_node_mean_grad(self, model: Any, zero_fill: bool = False) -> None:
        """Replaces every gradient of ``model`` by its mean over the ranks (collective).

        CPU gradients become views of the buffer they were summed in.  That
        buffer is never written again while any of those arrays (or a view of
        one) is alive, so gradients kept from an earlier step stay as they were.
        """
        params = _memory_utility.extract_params_set_grad(model, zero_fill)
        if self.size > 1:  # the mean of one gradient is itself
            for (dtype, gpu), group in sorted(self._groups(params, 'grad').items()):
                self._mean_grad_group(group, numpy.dtype(dtype), gpu)
        if chainer.is_debug():
            _ensure_all_finite(params)

    def _mean_grad_group(self, params: Sequence, dtype: numpy.dtype, gpu: bool) -> None:
        scale = 1.0 / self.size
        if gpu:
            flat = self._pack(params, 'grad', dtype.str, gpu)
            self._allreduce_sum_buffer(flat)
            self._unpack(params, 'grad', flat, dtype.str, gpu, scale=scale)
            return
        # Host arrays: pack already divided by the size, sum, and hand out
        # views of the buffer as the new gradients (no copy back).
        shared = self._shared_sum()
        if shared is not None:
            flat = shared.mean(params, dtype, scale, self._grad_pool, self._allreduce_sum_buffer)
        else:
            flat = self._grad_pool.take(sum(p.size for p in params), dtype)
            _memory_utility.pack_into(params, 'grad', flat, scale=scale)
            self._allreduce_sum_buffer(flat)
        offset = 0
        for p in params:
            piece = flat[offset:offset + p.size].reshape(p.shape)
            offset += p.size
            p.grad = piece if p.grad.dtype == dtype else piece.astype(p.grad.dtype)

    # Whether the gradient mean may run through shared memory when every rank is
    # on one node (communicators whose algorithm is "one sum over all ranks").
    _shared_memory_mean = False

    def _shared_sum(self) -> '_shared_memory.SharedMemorySum | None':
        if not self._shared_memory_mean:
            return None
        if self._shared is None:  # first call, made by every rank
            self._shared = _shared_memory.SharedMemorySum.create(self.mpi_comm, self._MPI)
            if self._shared is None:
                self._shared_memory_mean = False
        return self._shared

    def _allreduce_sum_buffer(self, flat: numpy.ndarray) -> None:
        """Sums the host buffer ``flat`` over the ranks in place."""
        self.mpi_comm.Allreduce(self._MPI.IN_PLACE, flat, op=self._MPI.SUM)
