"""Permuting an array along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.error import _IndexValueError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _check_permutation(indices) -> None:
    host = chainer.backends.cuda.to_cpu(indices)
    bad = (host < 0) | (host >= len(host))
    if bad.any():
        raise _IndexValueError(f'Out of bounds index: {host[bad][0]}')
    ordered = numpy.sort(host)
    dup = ordered[1:][ordered[1:] == ordered[:-1]]
    if dup.size:
        raise ValueError(f'indices contains duplicate value: {dup[0]}')


def _inverse(indices):
    xp = backend.get_array_module(indices)
    inv = xp.empty_like(indices)
    inv[indices] = xp.arange(len(indices), dtype=indices.dtype)
    return inv


class Permutate(function_node.FunctionNode):
    """Permutes ``x`` along ``axis`` by ``indices`` (or by their inverse when ``inv``).

    The indices are held by the node, not an input (hooks and graphs see ``x``
    only), as in Chainer.
    """

    def __init__(self, indices, axis: int = 0, inv: bool = False) -> None:
        self.indices = indices
        self.axis = argument._int(axis, 'axis')
        self.inv = inv

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        ind = self.indices
        type_check.expect(
            type_check.make_variable(ind.dtype.kind, 'indices.dtype.kind') == 'i',
            type_check.make_variable(ind.ndim, 'indices.ndim') == 1)
        type_check._expect_axes(x_type, self.axis, negative='>=')
        type_check.expect(
            x_type.shape[self.axis] == type_check.make_variable(ind.shape[0], 'len(indices)'))

    def forward(self, inputs):
        x, = inputs
        # indices from another device move to x's, once (the backward node takes them)
        self.indices = array_utils.on_device_of(self.indices, x)
        indices = _inverse(self.indices) if self.inv else self.indices
        xp = backend.get_array_module(x)
        return xp.take(x, indices, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        return Permutate(self.indices, self.axis, not self.inv).apply(grad_outputs)


def permutate_unchecked(x, indices, axis: int = 0, inv: bool = False):
    """:func:`permutate` by ``indices`` that are a permutation by their making.

    The library's own reorderings (of sequences sorted by length) use it:
    :func:`permutate` checks a user's indices on the host, which for a GPU
    array means waiting for the device to read them back.
    """
    return Permutate(indices, axis, inv).apply((x,))[0]


def permutate(x: VariableOrArray, indices: VariableOrArray, axis: int = 0,
              inv: bool = False) -> Variable:
    """Permutes ``x`` along ``axis``: ``y[i] = x[indices[i]]``.

    With ``inv=True`` the inverse permutation is applied: ``y[indices[i]] = x[i]``.

    Args:
        x: Variable or array.
        indices: 1-D integer array, Variable or list holding a permutation (no
            gradient).
        axis: The axis to permute.
        inv: Use the inverse permutation.
    """
    if isinstance(indices, chainer.Variable):
        indices = indices.array
    elif isinstance(indices, (list, tuple)):
        # (Chainer failed reading the list's dtype: AttributeError)
        indices = numpy.asarray(indices) if indices else numpy.zeros(0, numpy.int64)
    if getattr(indices, 'dtype', None) is not None and getattr(indices, 'ndim', None) is not None:
        if indices.dtype.kind != 'i' or indices.ndim != 1:
            raise type_check._InvalidValue(
                'indices: a one-dimensional int array',
                f'{indices.ndim}-d {indices.dtype} array',
                'indices should be a one-dimensional int array')  # Chainer's ValueError
        _check_permutation(indices)
    return Permutate(indices, axis, inv).apply((x,))[0]
