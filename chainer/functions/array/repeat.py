"""Repeating the elements of an array."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_int_types = (int, numpy.integer)


class Repeat(function_node.FunctionNode):
    """Repeats each element ``repeats`` times along ``axis`` (``numpy.repeat``)."""

    def __init__(self, repeats, axis=None) -> None:
        if isinstance(repeats, _int_types):
            self.repeats = (int(repeats),)
        elif isinstance(repeats, tuple) and all(
                isinstance(r, _int_types) for r in repeats):
            self.repeats = tuple(int(r) for r in repeats)
        else:
            raise TypeError('repeats must be int or tuple of ints')
        if not all(r >= 0 for r in self.repeats):
            raise ValueError('all elements in repeats must be zero or larger')
        if axis is not None and (not isinstance(axis, _int_types) or isinstance(axis, bool)):
            raise TypeError('axis must be int or None')
        self.axis = None if axis is None else int(axis)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        if self.axis is not None:
            ndim = max(type_check.eval(in_types[0].ndim), 1)  # NumPy: 0-d as 1-d
            if not -ndim <= self.axis < ndim:
                raise type_check._InvalidAxis(
                    f'-{ndim} <= axis < {ndim} (x.ndim, or 1 for 0-d x)', self.axis)

    def forward(self, inputs):
        self.retain_inputs((0,))  # as Chainer's node
        x, = inputs
        xp = backend.get_array_module(x)
        repeats = self.repeats
        if len(repeats) == 1:
            repeats = repeats[0]
        return xp.repeat(x, repeats, self.axis),

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0]
        return RepeatGrad(self.repeats, self.axis, x.shape, x.dtype).apply(grad_outputs)


class RepeatGrad(function_node.FunctionNode):
    """Sums the gradient of :class:`Repeat` over the repeated copies."""

    def __init__(self, repeats: tuple, axis, in_shape: tuple, in_dtype) -> None:
        self.repeats = repeats
        self.axis = axis
        self.in_shape = tuple(in_shape)
        self.in_dtype = in_dtype

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        shape = list(self.in_shape)
        axis = self.axis
        if axis is None or not shape:
            gy = gy.reshape(-1)
            axis = 0
            flat_shape = [int(numpy.prod(shape))]
        else:
            axis %= len(shape)
            flat_shape = list(shape)
        if gy.size == 0:
            return xp.zeros(self.in_shape, gy.dtype),
        if len(self.repeats) == 1:
            r = self.repeats[0]
            split = flat_shape[:axis] + [flat_shape[axis], r] + flat_shape[axis + 1:]
            gx = gy.reshape(split).sum(axis=axis + 1)
        else:
            gx = xp.zeros(flat_shape, gy.dtype)
            src = [slice(None)] * (axis + 1)
            dst = [slice(None)] * (axis + 1)
            pos = 0
            for i, r in enumerate(self.repeats):
                src[axis] = slice(pos, pos + r)
                dst[axis] = slice(i, i + 1)
                gx[tuple(dst)] = gy[tuple(src)].sum(axis=axis, keepdims=True)
                pos += r
        return gx.reshape(self.in_shape),

    def backward(self, indexes, grad_outputs):
        return Repeat(self.repeats, self.axis).apply(grad_outputs)


def repeat(x: VariableOrArray, repeats: int | Sequence[int], axis: int | None = None) -> Variable:
    """Repeats each element of ``x`` ``repeats`` times (int or tuple of ints) along ``axis``.

    With ``axis=None`` the input is flattened first.
    """
    return Repeat(repeats, axis).apply((x,))[0]
