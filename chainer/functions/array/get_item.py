"""Indexing of Variables (``x[slices]``), with basic and advanced indices."""
from __future__ import annotations

from typing import Any

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.utils import type_check
from chainer.utils.array import scatter_add

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
            raise TypeError(
                'get_item does not accept a Variable as an index; '
                'index with its array instead (e.g. x[v.array])')
    if chainer.is_debug():
        n_ellipses = sum(1 for s in slices if s is Ellipsis)
        if n_ellipses > 1:
            raise ValueError('Only one Ellipsis is allowed')
    return slices


def _is_basic(slices: tuple) -> bool:
    # Basic indices never select an element twice, so the gradient can be
    # written with a plain assignment instead of a scatter-add.
    for s in slices:
        if isinstance(s, bool) or not isinstance(s, _BASIC_INDEX_TYPES):
            return False
    return True


class GetItem(function_node.FunctionNode):
    """Extracts the elements of an array selected by ``slices``."""

    def __init__(self, slices: Any) -> None:
        self.slices = _normalize_slices(slices)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def forward(self, xs):
        return utils.force_array(xs[0][self.slices]),

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


def get_item(x, slices):
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
