"""Viewing an array with an arbitrary shape and strides."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.array import scatter_add
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

def _int_tuple(value, name: str) -> tuple:
    t = type_check._int_tuple(value)
    if t is None:
        raise TypeError(f'{name} must be an int or a tuple of ints, got {_repr(value)}')
    return t


def _source_index(xp, shape: tuple, strides: tuple, offset: int):
    """Flat storage index read by each element of the strided view."""
    index = xp.full(shape, offset, dtype=numpy.int64)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        step = xp.arange(n, dtype=numpy.int64) * s
        index += step.reshape((n,) + (1,) * (len(shape) - axis - 1))
    return index


def _founder(x: numpy.ndarray) -> numpy.ndarray:
    """The array owning the memory that ``x`` views (through the wrapper object
    that ``numpy.lib.stride_tricks.as_strided`` puts between a view and its
    array, as Chainer followed every ``base``)."""
    while True:
        base = x.base
        if not isinstance(base, numpy.ndarray):
            base = getattr(base, 'base', None)
            if not isinstance(base, numpy.ndarray):
                return x
        x = base


def _address(a: numpy.ndarray) -> int:
    return a.__array_interface__['data'][0]


def _storage_geometry(x) -> tuple:
    """Element strides of ``x`` and the offset of its first element in the
    memory block it views, as Chainer measured them."""
    itemsize = x.itemsize
    strides = tuple(s // itemsize for s in x.strides)
    if isinstance(x, numpy.ndarray):
        return strides, (_address(x) - _address(_founder(x))) // itemsize
    mem = getattr(x.data, 'mem', None)
    if mem is None:
        # (an array type without CuPy's memory block: read x as its own storage)
        n, strides = 1, []
        for d in reversed(x.shape):
            strides.insert(0, n)
            n *= d
        return tuple(strides), 0
    return strides, (x.data.ptr - mem.ptr) // itemsize


class _Memory:
    """Exposes elements ``[low, low + length)`` of a NumPy array's memory block."""

    def __init__(self, x: numpy.ndarray, low: int, length: int) -> None:
        self._owner = _founder(x)
        self.__array_interface__ = {
            'data': (_address(self._owner) + low * x.itemsize, True),
            'shape': (length,), 'strides': None, 'typestr': x.dtype.str,
            'descr': x.dtype.descr, 'version': 3}


def _extent(shape: tuple, strides: tuple, start: int) -> tuple:
    """The lowest and highest element positions that ``start + sum(i_k * strides[k])``
    reaches over ``shape`` (non-empty)."""
    return (start + sum((n - 1) * s for n, s in zip(shape, strides) if s < 0),
            start + sum((n - 1) * s for n, s in zip(shape, strides) if s > 0))


def _strided_copy(x: numpy.ndarray, shape: tuple, strides: tuple, storage_offset):
    """A copy of the strided view of the memory block ``x`` views, or None where
    a position lies outside that block (or nothing is read): what
    :meth:`_Geometry.gather` gives, without its index arrays."""
    if not shape or 0 in shape:
        return None
    x_strides, x_offset = _storage_geometry(x)
    if storage_offset is None:
        storage_offset = x_offset
    low, high = _extent(shape, strides, storage_offset)
    itemsize = x.itemsize
    if low < 0 or (high + 1) * itemsize > _founder(x).nbytes:
        return None
    memory = numpy.asarray(_Memory(x, low, high - low + 1))
    view = numpy.lib.stride_tricks.as_strided(
        memory[storage_offset - low:], shape, tuple(s * itemsize for s in strides))
    return view.copy()


class _Geometry:
    """Where x's elements and the strided output's elements lie in x's memory.

    ``source`` is the position (less ``low``) of each element of x, ``target``
    that of each output element; ``count`` is how many elements of x share each
    position (more than one where x itself overlaps, e.g. a broadcast view).
    """

    def __init__(self, xp, x, shape: tuple, strides: tuple, storage_offset) -> None:
        x_strides, x_offset = _storage_geometry(x)
        if storage_offset is None:
            storage_offset = x_offset
        source = _source_index(xp, x.shape, x_strides, x_offset)
        target = _source_index(xp, shape, strides, storage_offset)
        self.in_shape = x.shape
        bounds = [int(v) for a in (source, target) if a.size for v in (a.min(), a.max())]
        self.low = min(bounds, default=0)
        self.length = max(bounds, default=-1) - self.low + 1
        self.source = (source - self.low).ravel()
        self.target = target - self.low
        # (bincount: CuPy's scatter_add has no int64 atomic add)
        count = xp.bincount(self.source, minlength=self.length)
        self.overlap = x.size > 1 and int(count.max()) > 1
        self.count = count
        self.from_memory = False
        if target.size == 0 or bool((count[self.target] > 0).all()):
            return
        # The output reads memory next to x's elements.
        if isinstance(x, numpy.ndarray):
            # Chainer read it, within the array owning the memory.
            if int(target.min()) < 0:
                raise ValueError('Out of buffer: too small index was specified')
            if (int(target.max()) + 1) * x.itemsize > _founder(x).nbytes:
                raise ValueError('Out of buffer: too large index was specified')
            self.from_memory = True
            return
        raise ValueError(
            f'as_strided with shape={shape}, strides={strides} and '
            f'storage_offset={storage_offset} reads memory outside the input, '
            f'which a {type(x).__module__} array cannot')

    def gather(self, xp, x, memory: bool = False):
        """The output: each element reads x's memory at its position (from
        ``x``'s memory block itself if ``memory``, else from x's elements)."""
        if memory and self.from_memory:
            storage = numpy.asarray(_Memory(x, self.low, self.length))
            return storage[self.target]
        storage = xp.zeros(self.length, x.dtype)
        if self.overlap and x.dtype.kind == 'f':
            # elements of x sharing a position hold one value; reading their
            # mean keeps this gather the transpose of ``scatter`` (for a
            # gradient, whose elements do not share memory)
            scatter_add(storage, self.source, x.ravel())
            storage /= xp.maximum(self.count, 1).astype(x.dtype)
        else:
            storage[self.source] = x.ravel()
        return storage[self.target]

    def scatter(self, xp, gy):
        """The gradient: each position's output gradient, shared among the
        elements of x at that position (Chainer's layout-agnostic rule); the
        gradient of memory outside x is dropped."""
        storage = xp.zeros(self.length, gy.dtype)
        scatter_add(storage, self.target.ravel(), gy.ravel())
        if self.overlap:
            storage /= xp.maximum(self.count, 1).astype(gy.dtype)
        return storage[self.source].reshape(self.in_shape)


def _disjoint(shape: tuple, strides: tuple) -> bool:
    """Whether the positions ``sum(i_k * strides[k])`` are distinct: each axis
    steps past everything the axes of smaller steps span."""
    span = 0
    for step, n in sorted((abs(s), n) for n, s in zip(shape, strides) if n > 1):
        if step <= span:
            return False
        span += (n - 1) * step
    return True


class _LazyGeometry:
    """The :class:`_Geometry` of a NumPy input, built only where needed: where
    neither x's elements nor the output's positions share memory, the gradient is
    the output gradient added into a zero block through a strided view, read back
    through x's strides (what :meth:`_Geometry.scatter` gives)."""

    def __init__(self, x: numpy.ndarray, shape: tuple, strides: tuple,
                 storage_offset) -> None:
        self._x = x
        self._args = (shape, strides, storage_offset)
        self._full = None

    def full(self) -> _Geometry:
        if self._full is None:
            self._full = _Geometry(numpy, self._x, *self._args)
        return self._full

    @property
    def target(self):
        return self.full().target

    def gather(self, xp, x, memory: bool = False):
        return self.full().gather(xp, x, memory)

    def scatter(self, xp, gy):
        x = self._x
        shape, strides, offset = self._args
        x_strides, x_offset = _storage_geometry(x)
        if offset is None:
            offset = x_offset
        if (self._full is not None or type(gy) is not numpy.ndarray or x.size == 0
                or not _disjoint(shape, strides) or not _disjoint(x.shape, x_strides)):
            return self.full().scatter(xp, gy)
        ends = _extent(shape, strides, offset) + _extent(x.shape, x_strides, x_offset)
        low = min(ends)
        storage = numpy.zeros(max(ends) - low + 1, gy.dtype)
        size = gy.itemsize
        view = numpy.lib.stride_tricks.as_strided
        out = view(storage[offset - low:], shape, tuple(s * size for s in strides))
        out += gy
        return view(storage[x_offset - low:], x.shape,
                    tuple(s * size for s in x_strides)).copy()


class AsStrided(function_node.FunctionNode):
    """Reads the memory ``x`` views at ``offset + sum(i_k * strides[k])``.

    As in Chainer, ``x``'s own view is ignored: positions count in elements
    from the start of the memory block ``x`` views (its founding array, or
    CuPy's memory block), and the default offset is that of ``x``'s first
    element.
    """

    def __init__(self, shape, strides, storage_offset=None) -> None:
        self.shape = _int_tuple(shape, 'shape')
        self.strides = _int_tuple(strides, 'strides')
        if len(self.shape) != len(self.strides):
            raise ValueError(f'shape {self.shape} and strides {self.strides} must have the '
                             'same length')
        if any(n < 0 for n in self.shape):
            raise ValueError(f'negative dimensions are not allowed: {self.shape}')
        if storage_offset is not None and not type_check._is_int(storage_offset):
            raise TypeError('storage_offset must be an int or None')
        self.storage_offset = None if storage_offset is None else int(storage_offset)
        self._geometry = None
        self._x = None

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)

    def forward(self, inputs):
        x, = inputs
        if self._geometry is None and type(x) is numpy.ndarray:
            y = _strided_copy(x, self.shape, self.strides, self.storage_offset)
            if y is not None:
                # the index geometry is built only if the gradient is asked for
                self._x = x
                return y,
        xp = backend.get_array_module(x)
        if self._geometry is None:
            self._geometry = _Geometry(xp, x, self.shape, self.strides, self.storage_offset)
            return self._geometry.gather(xp, x, memory=True),
        return self._geometry.gather(xp, x),

    def backward(self, indexes, grad_outputs):
        if self._geometry is None:
            self._geometry = _LazyGeometry(self._x, self.shape, self.strides,
                                           self.storage_offset)
            self._x = None
        return AsStridedGrad(self._geometry).apply(grad_outputs)


class AsStridedGrad(function_node.FunctionNode):
    """Adds the output gradient back onto the elements of x each output
    element read (shared equally where elements of x overlap)."""

    def __init__(self, geometry: _Geometry) -> None:
        self._geometry = geometry

    def forward(self, inputs):
        gy, = inputs
        if gy.dtype.kind != 'f':
            # Chainer's rule: shared gradients need a float (an int one would truncate).
            raise TypeError(f'Only float is supported for back propagation (as_strided); '
                            f'the gradient is {gy.dtype}')
        return self._geometry.scatter(backend.get_array_module(gy), gy),

    def backward(self, indexes, grad_outputs):
        node = AsStrided(self._geometry.target.shape, (0,) * self._geometry.target.ndim)
        node._geometry = self._geometry
        return node.apply(grad_outputs)


def as_strided(x: VariableOrArray, shape: Sequence[int], strides: Sequence[int],
               storage_offset: int | None = None) -> Variable:
    """Creates a strided view of ``x`` (like ``numpy.lib.stride_tricks.as_strided``).

    As in Chainer, the view ``x`` itself is ignored: element ``idx`` of the
    result reads the memory that ``x`` views at position
    ``storage_offset + sum(idx[k] * strides[k])``, counted in elements from
    the start of that memory (the array owning it, or CuPy's memory block).
    For a C-contiguous array owning its memory this is
    ``x.ravel()[storage_offset + sum(idx[k] * strides[k])]``.

    Args:
        x: Variable or array.
        shape: Shape of the result.
        strides: Strides in **elements** (not bytes), one per axis; they may be
            zero (broadcasting) or negative.
        storage_offset: Offset in elements of the first element from the
            start of the memory ``x`` views (default: that of ``x``'s first
            element).

    Returns:
        ~chainer.Variable: A new array with the strided elements (Chainer's
        was a view of that memory). Elements read several times accumulate
        gradients; elements of ``x`` sharing memory share their position's
        gradient equally, as in Chainer. Memory outside ``x``'s elements
        (within the array owning it) may be read on the CPU, as in Chainer,
        and gets no gradient; on the GPU reading it raises ``ValueError``.
    """
    return AsStrided(shape, strides, storage_offset).apply((x,))[0]
