"""Indexing of Variables (``x[slices]``), with basic and advanced indices."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.utils import type_check
from chainer.backends import cuda
from chainer.utils.array import check_index_range
from chainer.utils.array import scatter_add
from chainer.utils.error import _IndexTypeError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_BASIC_INDEX_TYPES = (slice, int, numpy.integer, type(None), type(Ellipsis))


def _normalize_slices(slices: Any) -> tuple:
    """Turns ``slices`` into the tuple used to index the array.

    As in Chainer, a list holding only Python ints (or bools) is one
    integer-array (or mask) index, and any other list, even one of NumPy
    integers, is read as a tuple of indices.
    """
    if isinstance(slices, list):
        if all(isinstance(s, int) for s in slices):
            slices = (slices,)
        slices = tuple(slices)
    elif not isinstance(slices, tuple):
        slices = (slices,)
    for s in slices:
        if isinstance(s, variable.Variable):
            raise _IndexTypeError(
                'get_item does not accept a Variable as an index; '
                'index with its array instead (e.g. x[v.array])')
    if chainer.is_debug():
        n_ellipses = sum(1 for s in slices if s is Ellipsis)
        if n_ellipses > 1:
            raise ValueError('Only one Ellipsis is allowed')
    return slices


def _slices_on_host(slices: tuple) -> tuple:
    """``slices`` with their GPU index arrays brought to the host, for indexing a
    NumPy array (which cannot take them; CuPy takes host index arrays itself)."""
    for s in slices:
        if isinstance(s, cuda.ndarray):
            return tuple(backend.CpuDevice().send(s) if isinstance(s, cuda.ndarray) else s
                         for s in slices)
    return slices


def _is_basic(slices: tuple) -> bool:
    # Basic indices never select an element twice, so the gradient can be
    # written with a plain assignment instead of a scatter-add.
    for s in slices:
        if isinstance(s, bool) or not isinstance(s, _BASIC_INDEX_TYPES):
            return False
    return True


def _index_axes(s) -> int:
    """Number of axes of the indexed array that the index ``s`` consumes."""
    if s is None or isinstance(s, bool):
        return 0
    if getattr(s, 'dtype', None) is not None and s.dtype.kind == 'b':
        return s.ndim
    return 1


def _check_array_indices(xp, shape: tuple, slices: tuple) -> None:
    """Checks integer-array indices against their axes (CuPy wraps out-of-range
    indices instead of raising as NumPy does)."""
    slices = tuple(xp.asarray(s) if isinstance(s, list) else s for s in slices)
    n_used = sum(_index_axes(s) for s in slices if s is not Ellipsis)
    axis = 0
    for s in slices:
        if s is Ellipsis:
            axis += len(shape) - n_used
            continue
        if (hasattr(s, 'dtype') and not isinstance(s, numpy.generic) and s.dtype.kind in 'iu'
                and axis < len(shape)):
            check_index_range(s, shape[axis], f'index for axis {axis}', allow_negative=True)
        axis += _index_axes(s)


class GetItem(function_node.FunctionNode):
    """Extracts the elements of an array selected by ``slices``."""

    def __init__(self, slices: Any) -> None:
        self.slices = _normalize_slices(slices)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def forward(self, xs):
        x, = xs
        if type(x) is numpy.ndarray:
            # (the gradient nodes get the moved ones)
            self.slices = _slices_on_host(self.slices)
        elif not _is_basic(self.slices):
            _check_array_indices(backend.get_array_module(x), x.shape, self.slices)
        return utils.force_array(x[self.slices]),

    def backward(self, indexes, gy):
        return GetItemGrad(self.slices, self.inputs[0].shape).apply(gy)


class GetItemGrad(function_node.FunctionNode):
    """Scatters (adding up repeats) a gradient back to the indexed array's shape."""

    def __init__(self, slices: tuple, in_shape: tuple) -> None:
        self.slices = slices
        self._in_shape = in_shape

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        gx = xp.zeros(self._in_shape, gy.dtype)
        slices = self.slices
        if _is_basic(slices):
            gx[slices] = gy
        else:
            scatter_add(gx, slices, gy)
        return gx,

    def backward(self, indexes, ggx):
        return GetItem(self.slices).apply(ggx)


def get_item(x: VariableOrArray, slices: Any) -> Variable:
    """Extracts elements of ``x`` selected by ``slices`` (like NumPy indexing).

    Args:
        x: A Variable or array.
        slices: An int, slice, Ellipsis, None, integer or boolean array (or
            list), or a tuple of them.

    Returns:
        ~chainer.Variable: The selected elements. Gradients flow back to the
        selected positions (repeated positions accumulate).
    """
    return GetItem(slices).apply((x,))[0]


def install_variable_get_item() -> None:
    """Makes ``Variable.__getitem__`` call :func:`get_item`."""
    variable.Variable.__getitem__ = get_item


install_variable_get_item()
