"""Sums: ``sum`` over axes and ``sum_to`` a shape (the reduction of broadcast gradients)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.math.minmax import _check_axes, _keepdims, _normalize_axis
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Sum(function_node.FunctionNode):
    """Sum of array elements over the given axes."""

    keepdims = False

    def __init__(self, axis=None, keepdims=False):
        self.axis = _normalize_axis(axis)
        self.keepdims = _keepdims(keepdims)

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)
        _check_axes(in_types[0], self.axis)

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        y = array_utils.sum(x, axis=self.axis, keepdims=self.keepdims)
        return (y if type(y) is numpy.ndarray else utils.force_array(y)),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        ndim = len(self._in_shape)
        if not (ndim == 0 or self.axis is None or self.keepdims):
            actual_axis = sorted(a if a >= 0 else a + ndim for a in self.axis)
            shape = list(gy.shape)
            for a in actual_axis:
                shape.insert(a, 1)
            gy = gy.reshape(tuple(shape))
        return broadcast_to(gy, self._in_shape),


def sum(x: VariableOrArray, axis: int | Sequence[int] | None = None,
        keepdims: bool = False) -> Variable:
    """Sum of array elements over the given axes.

    Args:
        x: Input Variable or array.
        axis: None (all axes), an int or a tuple of ints.
        keepdims: Keep the reduced axes with length one.
    """
    return Sum(axis, keepdims).apply((x,))[0]


class SumTo(function_node.FunctionNode):
    """Sums an array down to a shape it was broadcast from."""

    def __init__(self, shape):
        self._shape = tuple(shape)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        shape = self._shape
        if len(shape) > x.ndim or any(
                s != 1 and s != xs for s, xs in zip(shape[::-1], x.shape[::-1])):
            raise ValueError(f'cannot sum an array of shape {x.shape} to shape {shape}')
        return utils.force_array(utils.sum_to(x, shape)),

    def backward(self, indexes, grad_outputs):
        return broadcast_to(grad_outputs[0], self._in_shape),


def sum_to(x: VariableOrArray, shape: Sequence[int]) -> Variable:
    """Sums ``x`` so that its shape becomes ``shape`` (inverse of ``broadcast_to``)."""
    if x.shape == tuple(shape):
        return chainer.as_variable(x)
    return SumTo(shape).apply((x,))[0]
