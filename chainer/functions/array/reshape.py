"""Reshape."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import ShapeSpec, VariableOrArray
    from chainer.variable import Variable


def _count_unknown_dims(shape):
    cnt = 0
    for dim in shape:
        cnt += dim < 0
    return cnt


class Reshape(function_node.FunctionNode):
    """Reshapes an array without copying."""

    def __init__(self, shape):
        self.shape = shape
        self._cnt = _count_unknown_dims(shape)
        if self._cnt > 1:
            raise _ValueAssertionError('Only one dimension can be unknown (-1) in the shape')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        if self._cnt == 0:
            type_check.expect(type_check.prod(x_type.shape) == type_check.prod(self.shape))
        else:
            known_size = 1
            for s in self.shape:
                if s > 0:
                    known_size *= s
            size_var = type_check.make_variable(known_size, f'known_size(={known_size})')
            type_check.expect(type_check.prod(x_type.shape) % size_var == 0)

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        return x.reshape(self.shape),

    def backward(self, indexes, grad_outputs):
        return reshape(grad_outputs[0], self._in_shape),


def reshape(x: VariableOrArray, shape: ShapeSpec) -> Variable:
    """Reshapes ``x`` to ``shape`` (one dimension may be -1)."""
    # As in Chainer, only a tuple equal to x's shape returns x itself; any
    # other form (a list, ...) always adds a Reshape node.
    if isinstance(shape, tuple) and x.shape == shape:
        return chainer.as_variable(x)
    if isinstance(shape, (int, numpy.integer)) or (
            isinstance(shape, numpy.ndarray) and shape.ndim == 0):
        shape = (int(shape),)
    if not isinstance(shape, list):  # a list stays one, as in Chainer (and its messages)
        shape = tuple(shape)
    return Reshape(shape).apply((x,))[0]
