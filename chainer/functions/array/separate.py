"""Separating an array into its slices along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Separate(function_node.FunctionNode):
    """Splits an array into its slices along ``axis`` (dropping that axis)."""

    def __init__(self, axis: int) -> None:
        self.axis = argument._int(axis, 'axis')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type = in_types[0]
        type_check._expect_axes(x_type, self.axis, negative='>=')

    def forward(self, inputs):
        x, = inputs
        axis = self.axis % x.ndim
        index = [slice(None)] * x.ndim
        ys = []
        for i in range(x.shape[axis]):
            index[axis] = i
            ys.append(chainer.utils.force_array(x[tuple(index)]))
        return tuple(ys)

    def backward(self, indexes, grad_outputs):
        # The inverse partner is looked up through chainer.functions at call time.
        grads = list(grad_outputs)
        ref = next(g for g in grads if g is not None)
        for i, g in enumerate(grads):
            if g is None:
                xp = backend.get_array_module(ref.array)
                with backend.using_device(backend.get_device_from_array(ref.array)):
                    z = xp.zeros(ref.shape, ref.dtype)
                grads[i] = chainer.Variable(z, requires_grad=False)
        return chainer.functions.stack(grads, self.axis),


def separate(x: VariableOrArray, axis: int = 0) -> tuple[Variable, ...]:
    """Splits ``x`` along ``axis`` into a tuple of Variables without that axis."""
    return Separate(axis).apply((x,))
