"""Concatenating arrays along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Concat(function_node.FunctionNode):
    """Concatenates its inputs along ``axis``."""

    def __init__(self, axis: int = 1) -> None:
        self.axis = argument._int(axis, 'axis')

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        type_check.expect(in_types[0].ndim > type_check.make_variable(self.axis, 'axis'))
        type_check.expect(-in_types[0].ndim <= self.axis)
        ndim = type_check.eval(in_types[0].ndim)
        axis = self.axis % ndim
        for i in range(1, type_check.eval(in_types.size())):
            type_check.expect(
                in_types[0].dtype == in_types[i].dtype,
                in_types[0].ndim == in_types[i].ndim,
            )
            for d in range(ndim):
                if d == axis:
                    continue
                type_check.expect(in_types[0].shape[d] == in_types[i].shape[d])

    def forward(self, inputs):
        xp = backend.get_array_module(*inputs)
        return xp.concatenate(inputs, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        if len(self.inputs) == 1:
            return grad_outputs
        # The inverse partner is looked up through chainer.functions at call time.
        sizes = numpy.cumsum([x.shape[self.axis] for x in self.inputs[:-1]]).tolist()
        return chainer.functions.split_axis(grad_outputs[0], sizes, self.axis)


def concat(xs: Sequence[VariableOrArray], axis: int = 1) -> Variable:
    """Concatenates the Variables or arrays ``xs`` along ``axis``."""
    function_node._check_inputs_sequence(xs, 'F.concat')
    return Concat(axis).apply(xs)[0]
