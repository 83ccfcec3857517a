"""Packing parameter gradients (or data) into one flat buffer and back.

Collectives over one buffer instead of one message per parameter are what make
``multi_node_mean_grad`` cost about as much as a single ``Allreduce``.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy

import chainer
from chainer import backend


def __getattr__(name: str) -> Any:
    # ``cp``: the CuPy module, or None without CuPy (looked up on first use).
    if name == 'cp':
        from chainer.backends import cuda
        return cuda.cupy if cuda.available else None
    raise AttributeError(name)


class HostPinnedMemory:
    """A growable host buffer; its ``array(count, dtype)`` views are reused across calls."""

    def __init__(self) -> None:
        self.memory = numpy.empty(0, dtype=numpy.uint8)

    def assign(self, nbytes: int) -> None:
        if nbytes > self.memory.nbytes:
            self.memory = numpy.empty(nbytes, dtype=numpy.uint8)

    def size(self) -> int:
        return self.memory.nbytes

    def array(self, count: int, dtype: Any = numpy.float32) -> numpy.ndarray:
        dtype = numpy.dtype(dtype)
        self.assign(count * dtype.itemsize)
        return self.memory[:count * dtype.itemsize].view(dtype)


class DeviceMemory(HostPinnedMemory):
    """The same buffer on the current GPU (needs CuPy)."""

    def __init__(self) -> None:
        from chainer.backends import cuda
        cuda.check_cuda_available()
        self._cupy = cuda.cupy
        self.memory = self._cupy.empty(0, dtype=numpy.uint8)

    def assign(self, nbytes: int) -> None:
        if nbytes > self.memory.nbytes:
            self.memory = self._cupy.empty(nbytes, dtype=numpy.uint8)

    def ptr(self) -> int:
        return self.memory.data.ptr


def extract_params_set_grad(model: chainer.Link, zero_fill: bool) -> list:
    """The parameters whose gradients take part in a mean (sorted by name).

    With ``zero_fill`` a parameter without a gradient takes part with zeros
    (its gradient becomes an array); without it such parameters are skipped,
    which is only safe when every rank has the same ones.
    """
    params = []
    for _, param in sorted(model.namedparams()):
        if param.array is None:
            continue
        if param.grad is None:
            if not zero_fill:
                continue
            param.grad = param.array * 0
        params.append(param)
    return params


def extract_params_set_data(model: chainer.Link) -> list:
    """The initialized parameters of ``model``, sorted by name."""
    return [p for _, p in sorted(model.namedparams()) if p.array is not None]


def count_grad_elements(params: Sequence, zero_fill: bool) -> int:
    """Number of gradient elements of ``params`` (zeros counted with ``zero_fill``)."""
    return sum(p.size for p in params if zero_fill or p.grad is not None)


class ParamsData:
    """The arrays (``attr_name``: 'grad' or 'data') of a list of parameters, with their offsets."""

    def __init__(self, params: Sequence, attr_name: str, zero_fill: bool = False) -> None:
        self.params = list(params)
        self.attr_name = attr_name
        arrays = []
        for p in self.params:
            a = getattr(p, attr_name)
            if a is None and zero_fill:
                a = p.array * 0
                setattr(p, attr_name, a)
            arrays.append(a)
        self.arrays = arrays
        self.sizes = [a.size for a in arrays]
        self.n_elems = sum(self.sizes)


def _attr_array(param: Any, attr_name: str) -> Any:
    return param.array if attr_name == 'data' else param.grad


def pack_params(params: Sequence, attr_name: str, buffer: Any, transfer_dtype: Any,
                zero_fill: bool = False, stream: Any = None) -> Any:
    """Copies the arrays into ``buffer`` (flat, ``transfer_dtype``); returns the used view."""
    transfer_dtype = numpy.dtype(transfer_dtype)
    n = sum(p.size for p in params)
    flat = buffer.array(n, transfer_dtype) if hasattr(buffer, 'array') else buffer[:n]
    pack_into(params, attr_name, flat, zero_fill)
    return flat


def pack_into(params: Sequence, attr_name: str, flat: Any, zero_fill: bool = False,
              scale: float | None = None) -> None:
    """Writes the arrays one after another into the 1-d array ``flat``, multiplied by
    ``scale`` when given (missing ones as zeros with ``zero_fill``).

    ``flat`` must share memory with none of the arrays.
    """
    xp = backend.get_array_module(flat)
    s = None if scale is None else flat.dtype.type(scale)
    offset = 0
    for p in params:
        a = _attr_array(p, attr_name)
        dst = flat[offset:offset + p.size].reshape(p.shape)
        offset += p.size
        if a is None:
            if zero_fill:
                dst.fill(0)
        elif s is None:
            dst[...] = a
        else:
            xp.multiply(a, s, out=dst, casting='unsafe')


def unpack_params(params: Sequence, attr_name: str, buffer: Any, transfer_dtype: Any,
                  zero_fill: bool = False, stream: Any = None, scale: float | None = None) -> None:
    """Copies ``buffer`` back into the arrays (multiplied by ``scale`` when given)."""
    transfer_dtype = numpy.dtype(transfer_dtype)
    n = sum(p.size for p in params)
    flat = buffer.array(n, transfer_dtype) if hasattr(buffer, 'array') else buffer[:n]
    xp = backend.get_array_module(flat)
    offset = 0
    for p in params:
        a = _attr_array(p, attr_name)
        size = p.size
        if a is None and not zero_fill:
            continue
        src = flat[offset:offset + size]
        offset += size
        if a is None:
            a = xp.zeros(p.shape, dtype=p.dtype)
            _set_attr(p, attr_name, a)
        dst = a.reshape(-1) if a.flags.c_contiguous else None
        if dst is None:
            dst = xp.empty(size, dtype=a.dtype)
        if scale is None:
            dst[...] = src
        else:
            xp.multiply(src, transfer_dtype.type(scale), out=dst, casting='unsafe')
        if not a.flags.c_contiguous:
            a[...] = dst.reshape(a.shape)


def _set_attr(param: Any, attr_name: str, value: Any) -> None:
    if attr_name == 'data':
        param.array = value
    else:
        param.grad = value


def array_to_buffer_object(array: Any, mpi_dtype: Any = None) -> Any:
    """An mpi4py buffer spec for ``array`` (host arrays; GPU arrays as device pointers)."""
    xp = backend.get_array_module(array)
    if xp is numpy:
        return array if mpi_dtype is None else [array, mpi_dtype]
    buf = get_device_memory_pointer(array)
    return buf if mpi_dtype is None else [buf, mpi_dtype]


def get_device_memory_pointer(array: Any) -> Any:
    """A memory object at a CuPy array's device pointer (for CUDA-aware MPI)."""
    from chainermn._mpi import get_mpi
    MPI = get_mpi()
    return MPI.memory.fromaddress(array.data.ptr, array.nbytes)

