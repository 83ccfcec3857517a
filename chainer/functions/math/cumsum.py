"""Cumulative sum along an axis."""
from __future__ import annotations

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check


def _check_int_axis(axis):
    if axis is None:
        return None
    if isinstance(axis, (int, numpy.integer)) and not isinstance(axis, bool):
        return int(axis)
    raise TypeError('axis must be int or None')


class _Flip(function_node.FunctionNode):
    """Reverses an array along one axis (its own adjoint)."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].ndim > self.axis)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        return xp.flip(x, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        return _Flip(self.axis).apply(grad_outputs)


def _flip(x, axis: int):
    return _Flip(axis).apply((x,))[0]


class Cumsum(function_node.FunctionNode):
    """Cumulative sum along an axis (of the flattened array when the axis is None)."""

    def __init__(self, axis=None) -> None:
        self.axis = _check_int_axis(axis)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')
        if self.axis is not None:
            if self.axis >= 0:
                type_check.expect(self.axis < x_type.ndim)
            else:
                type_check.expect(-self.axis - 1 < x_type.ndim)

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        xp = backend.get_array_module(x)
        return utils.force_array(xp.cumsum(x, axis=self.axis), x.dtype),

    def backward(self, indexes, grad_outputs):
        from chainer.functions.array.reshape import reshape
        gy, = grad_outputs
        axis = 0 if self.axis is None else self.axis
        gx = _flip(cumsum(_flip(gy, axis), axis), axis)
        if self.axis is None:
            gx = reshape(gx, self._in_shape)
        return gx,


def cumsum(x, axis=None):
    """Cumulative sum of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumsum(axis).apply((x,))[0]
