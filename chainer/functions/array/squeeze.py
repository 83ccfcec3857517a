"""Removing axes of length one."""
from __future__ import annotations

from typing import TYPE_CHECKING


from chainer import backend
from chainer import function_node
from chainer.functions.array.reshape import reshape
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Squeeze(function_node.FunctionNode):
    """Removes the given axes (all axes of length one when ``axis`` is None)."""

    def __init__(self, axis=None) -> None:
        if axis is None:
            self.axis = None
        elif type_check._is_int(axis):
            self.axis = (int(axis),)
        elif isinstance(axis, tuple) and all(type_check._is_int(a) for a in axis):
            self.axis = tuple(int(a) for a in axis)
        else:
            raise TypeError('axis must be None, int or tuple of ints')

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type = in_types[0]
        if self.axis is not None:
            type_check._expect_axes(x_type, *self.axis, negative='-')

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        xp = backend.get_array_module(x)
        return xp.squeeze(x, self.axis),

    def backward(self, indexes, grad_outputs):
        return reshape(grad_outputs[0], self._in_shape),


def squeeze(x: VariableOrArray, axis: int | Sequence[int] | None = None) -> Variable:
    """Removes axes of length one from ``x``.

    Args:
        x: Input Variable or array.
        axis: None (every axis of length one), an int or a tuple of ints; a
            selected axis whose length is not one is an error.
    """
    return Squeeze(axis).apply((x,))[0]
