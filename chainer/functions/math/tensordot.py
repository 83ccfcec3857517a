"""Tensor dot product over given axes (``numpy.tensordot`` semantics)."""
from __future__ import annotations

import collections.abc
from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.cast import cast
from chainer.functions.array.transpose import transpose
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _as_axes(axes, a_ndim: int, b_ndim: int):
    """Returns (a_axes, b_axes): the contracted axes, non-negative, pairwise matched."""
    if type_check._is_int(axes):
        n = int(axes)
        if n < 0 or n > a_ndim or n > b_ndim:
            raise ValueError(f'axes={n} is invalid for arrays of {a_ndim} and {b_ndim} dimensions')
        return tuple(range(a_ndim - n, a_ndim)), tuple(range(n))
    # Chainer's checks and texts.
    if isinstance(axes, collections.abc.Sequence):
        if len(axes) != 2:
            raise ValueError('axes must be a pair of sequence of integers '
                             'when it is a list or tuple.')
    elif not (isinstance(axes, numpy.ndarray) and len(axes) == 2):
        raise TypeError('axes must be a pair of sequence of integers or an integer')
    a_axes, b_axes = axes
    if isinstance(a_axes, (int, numpy.integer)):
        a_axes = (a_axes,)
    if isinstance(b_axes, (int, numpy.integer)):
        b_axes = (b_axes,)
    a_axes = tuple(int(a) for a in a_axes)
    b_axes = tuple(int(b) for b in b_axes)
    if len(a_axes) != len(b_axes):
        raise ValueError('axes to sum over must have the same length for a and b')
    for ax, nd, name in ((a_axes, a_ndim, 'a'), (b_axes, b_ndim, 'b')):
        for x in ax:
            if not -nd <= x < nd:
                raise ValueError(f'axis {x} is out of bounds for {name} of {nd} dimensions')
        if len({x % nd for x in ax}) != len(ax):
            raise ValueError(f'repeated axis for {name}')
    return tuple(x % a_ndim for x in a_axes), tuple(x % b_ndim for x in b_axes)


class TensorDot(function_node.FunctionNode):
    """Sum of products over ``a_axes`` of ``a`` and ``b_axes`` of ``b``."""

    def __init__(self, a_axes: tuple, b_axes: tuple) -> None:
        self.a_axes = a_axes
        self.b_axes = b_axes

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a', 'b'))
        a_type, b_type = in_types
        type_check.expect(
            a_type.dtype.kind == 'f',
            b_type.dtype.kind == 'f',
        )
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's ValueError in Chainer
            for i, j in zip(self.a_axes, self.b_axes):
                type_check.expect(a_type.shape[i] == b_type.shape[j])

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        xp = backend.get_array_module(a, b)
        out_dtype = numpy.result_type(a.dtype, b.dtype)
        y = xp.tensordot(as_compute(a), as_compute(b), axes=(self.a_axes, self.b_axes))
        return utils.force_array(y, out_dtype),

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        a_free = [i for i in range(a.ndim) if i not in self.a_axes]
        b_free = [i for i in range(b.ndim) if i not in self.b_axes]
        na = len(a_free)
        ret = []
        for i in indexes:
            if i == 0:
                # gy's b-part contracts with b's free axes; what remains of b
                # are its contracted axes in increasing order.
                g = tensordot(gy, b, axes=(list(range(na, gy.ndim)), b_free))
                rest = [self.a_axes[self.b_axes.index(j)] for j in sorted(self.b_axes)]
                order = a_free + rest
                target = a
            else:
                g = tensordot(a, gy, axes=(a_free, list(range(na))))
                rest = [self.b_axes[self.a_axes.index(j)] for j in sorted(self.a_axes)]
                order = rest + b_free
                target = b
            perm = tuple(numpy.argsort(order).tolist())
            if perm != tuple(range(len(perm))):
                g = transpose(g, perm)
            if g.dtype != target.dtype:
                g = cast(g, target.dtype)
            ret.append(g)
        return tuple(ret)


def tensordot(a: VariableOrArray, b: VariableOrArray,
              axes: int | Sequence[int] | Sequence[Sequence[int]] = 2) -> Variable:
    """Tensor dot product of ``a`` and ``b`` (as ``numpy.tensordot``).

    Args:
        a, b: Input Variables or arrays (float).
        axes: An int ``n`` (the last ``n`` axes of ``a`` with the first ``n``
            of ``b``) or a pair ``(a_axes, b_axes)`` of ints or int sequences.
    """
    function_node._check_input(a)
    function_node._check_input(b)
    a_axes, b_axes = _as_axes(axes, a.ndim, b.ndim)
    return TensorDot(a_axes, b_axes).apply((a, b))[0]
