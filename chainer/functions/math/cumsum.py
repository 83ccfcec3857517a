"""Cumulative sum along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING


from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.flip import flip
from chainer.functions.array.reshape import reshape
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _check_int_axis(axis):
    if axis is None:
        return None
    if type_check._is_int(axis):
        return int(axis)
    raise TypeError('axis must be int or None')


class _Cumulative(function_node.FunctionNode):
    """A cumulative reduction (``xp.<_op>``) along an axis, of the flattened array
    when the axis is None; subclasses give ``_op`` and the backward."""

    _op = ''

    def __init__(self, axis=None) -> None:
        self.axis = _check_int_axis(axis)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')
        if self.axis is not None:
            type_check._expect_axes(x_type, self.axis)

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        xp = backend.get_array_module(x)
        return utils.force_array(getattr(xp, self._op)(x, axis=self.axis), x.dtype),

    def _unflatten(self, gx):
        """``gx`` in the input's shape (the forward flattened it when the axis is None)."""
        return reshape(gx, self._in_shape) if self.axis is None else gx


class Cumsum(_Cumulative):
    """Cumulative sum along an axis (of the flattened array when the axis is None)."""

    _op = 'cumsum'

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        axis = 0 if self.axis is None else self.axis
        return self._unflatten(flip(cumsum(flip(gy, axis), axis), axis)),


def cumsum(x: VariableOrArray, axis: int | None = None) -> Variable:
    """Cumulative sum of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumsum(axis).apply((x,))[0]
