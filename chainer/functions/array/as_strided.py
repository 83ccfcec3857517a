"""Viewing an array with an arbitrary shape and strides."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.array import scatter_add
from chainer.utils.array import size_of_shape

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_int_types = (int, numpy.integer)


def _is_int(v) -> bool:
    if isinstance(v, numpy.ndarray):
        return v.ndim == 0 and v.dtype.kind in 'iu'
    return isinstance(v, _int_types) and not isinstance(v, bool)


def _int_tuple(value, name: str) -> tuple:
    if isinstance(value, numpy.ndarray) and value.ndim == 1 and value.dtype.kind in 'iu':
        return tuple(int(v) for v in value)
    if _is_int(value):
        return (int(value),)
    if isinstance(value, (tuple, list)) and all(_is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise TypeError(f'{name} must be an int or a tuple of ints, got {value!r}')


def _source_index(xp, shape: tuple, strides: tuple, offset: int):
    """Flat storage index read by each element of the strided view."""
    index = xp.full(shape, offset, dtype=numpy.int64)
    for axis, (n, s) in enumerate(zip(shape, strides)):
        step = xp.arange(n, dtype=numpy.int64) * s
        index += step.reshape((n,) + (1,) * (len(shape) - axis - 1))
    return index


class AsStrided(function_node.FunctionNode):
    """Reads the elements of the flattened input at ``offset + sum(i_k * strides[k])``."""

    def __init__(self, shape, strides, storage_offset=None) -> None:
        self.shape = _int_tuple(shape, 'shape')
        self.strides = _int_tuple(strides, 'strides')
        if len(self.shape) != len(self.strides):
            raise ValueError(f'shape {self.shape} and strides {self.strides} must have the '
                             'same length')
        if any(n < 0 for n in self.shape):
            raise ValueError(f'negative dimensions are not allowed: {self.shape}')
        if storage_offset is None:
            storage_offset = 0
        if not isinstance(storage_offset, _int_types) or isinstance(storage_offset, bool):
            raise TypeError('storage_offset must be an int or None')
        self.storage_offset = int(storage_offset)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def _check_bounds(self, size: int) -> None:
        if 0 in self.shape:
            return
        low = self.storage_offset + sum((n - 1) * s for n, s in zip(self.shape, self.strides)
                                        if s < 0)
        high = self.storage_offset + sum((n - 1) * s for n, s in zip(self.shape, self.strides)
                                         if s > 0)
        if low < 0 or high >= size:
            raise ValueError(
                f'as_strided with shape={self.shape}, strides={self.strides} and '
                f'storage_offset={self.storage_offset} reads elements [{low}, {high}] '
                f'outside an input of {size} elements')

    def forward(self, inputs):
        x, = inputs
        self._check_bounds(x.size)
        xp = backend.get_array_module(x)
        self._index = _source_index(xp, self.shape, self.strides, self.storage_offset)
        return x.reshape(-1)[self._index],

    def backward(self, indexes, grad_outputs):
        return AsStridedGrad(self.inputs[0].shape, self._index, self.shape, self.strides,
                             self.storage_offset).apply(grad_outputs)


class AsStridedGrad(function_node.FunctionNode):
    """Adds the output gradient back onto the elements each output element read.

    ``index`` is the flat input index each output element read; ``shape``,
    ``strides`` and ``storage_offset`` describe the forward view (the backward
    of this node applies it again).
    """

    def __init__(self, in_shape: tuple, index, shape: tuple, strides: tuple,
                 storage_offset: int) -> None:
        self.in_shape = tuple(in_shape)
        self._index = index
        self._view = (shape, strides, storage_offset)

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        gx = xp.zeros(size_of_shape(self.in_shape), gy.dtype)
        scatter_add(gx, self._index.ravel(), gy.ravel())
        return gx.reshape(self.in_shape),

    def backward(self, indexes, grad_outputs):
        return AsStrided(*self._view).apply(grad_outputs)


def as_strided(x: VariableOrArray, shape: Sequence[int], strides: Sequence[int],
               storage_offset: int | None = None) -> Variable:
    """Creates a strided view of ``x`` (like ``numpy.lib.stride_tricks.as_strided``).

    ``x`` is read as its C-ordered flattened elements; element ``idx`` of the
    result is ``x.ravel()[storage_offset + sum(idx[k] * strides[k])]``.

    Args:
        x: Variable or array.
        shape: Shape of the result.
        strides: Strides in **elements** (not bytes), one per axis; they may be
            zero (broadcasting) or negative.
        storage_offset: Offset in elements of the first element (default 0).

    Returns:
        ~chainer.Variable: A new array with the strided elements. Elements read
        several times accumulate gradients. Reading outside ``x`` raises
        ``ValueError``.
    """
    return AsStrided(shape, strides, storage_offset).apply((x,))[0]
