"""Stacking arrays along a new axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Stack(function_node.FunctionNode):
    """Joins same-shaped inputs along a new axis ``axis``."""

    def __init__(self, axis: int) -> None:
        self.axis = argument._int(axis, 'axis')

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        type_check.expect(-in_types[0].ndim - 1 <= self.axis, self.axis <= in_types[0].ndim)
        for i in range(1, type_check.eval(in_types.size())):
            type_check.expect(
                in_types[i].dtype == in_types[0].dtype,
                in_types[i].shape == in_types[0].shape,
            )

    def forward(self, inputs):
        xp = backend.get_array_module(*inputs)
        return xp.stack(inputs, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        # The inverse partner is looked up through chainer.functions at call time.
        return chainer.functions.separate(grad_outputs[0], self.axis)


def stack(xs: Sequence[VariableOrArray], axis: int = 0) -> Variable:
    """Stacks the same-shaped Variables or arrays ``xs`` along a new axis ``axis``."""
    function_node._check_inputs_sequence(xs, 'F.stack')
    return Stack(axis).apply(xs)[0]
