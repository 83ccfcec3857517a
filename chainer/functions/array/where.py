"""Choosing elements from two arrays by a condition."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Where(function_node.FunctionNode):
    """Takes ``x`` where the condition holds and ``y`` elsewhere (with broadcasting).

    The condition is an array held by the node, not an input: hooks and graphs see
    ``x`` and ``y`` only, as in Chainer.
    """

    def __init__(self, condition) -> None:
        self.condition = condition

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'y'))
        c = self.condition
        if not isinstance(c, backend.get_array_types()):
            raise type_check.InvalidType('isinstance(condition, ndarray)',
                                         f'type(condition) == {type(c)}')
        x_type, y_type = in_types
        type_check.expect(
            type_check.make_variable(c.dtype, 'condition.dtype') == numpy.bool_,
            x_type.dtype == y_type.dtype,
        )
        type_check.expect_broadcast_shapes(
            type_check.make_variable(c.shape, 'condition.shape'), x_type.shape, y_type.shape)

    def forward(self, inputs):
        x, y = inputs
        # a condition from another device moves to x's (the backward uses the moved one)
        self.condition = chainer.utils.array.on_device_of(self.condition, x)
        return chainer.utils.force_array(chainer.utils.array.select(self.condition, x, y)),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        xp = backend.get_array_module(gy.array)
        with backend.using_device(backend.get_device_from_array(gy.array)):
            zeros = xp.zeros((), gy.dtype)
        c = self.condition
        return tuple(
            sum_to(where(c, gy, zeros) if i == 0 else where(c, zeros, gy), self.inputs[i].shape)
            for i in indexes)


def where(condition: VariableOrArray, x: VariableOrArray, y: VariableOrArray) -> Variable:
    """Elementwise ``x if condition else y``.

    Args:
        condition: A boolean array or Variable (it gets no gradient).
        x, y: Variables or arrays of the same dtype; all three broadcast together.

    Returns:
        ~chainer.Variable: The chosen elements.
    """
    if isinstance(condition, chainer.Variable):
        condition = condition.array
    elif numpy.isscalar(condition):
        # a Python or NumPy scalar (what comparing 0-d arrays gives), as
        # Chainer's force_array took it
        condition = numpy.asarray(condition)
    return Where(condition).apply((x, y))[0]
