"""Reshape."""
from __future__ import annotations

import numpy

from chainer import function_node
from chainer.utils import type_check


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
            raise ValueError('Only one dimension can be unknown (-1) in the shape')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        if self._cnt == 0:
            type_check.expect(type_check.prod(x_type.shape) == type_check.prod(self.shape))
        else:
            known = -type_check.prod(self.shape)
            if type_check.eval(known) == 0 and type_check.eval(type_check.prod(x_type.shape)) != 0:
                type_check.expect(type_check.prod(x_type.shape) == 0)
            elif type_check.eval(known) != 0:
                type_check.expect(type_check.prod(x_type.shape) % known == 0)

    def forward(self, inputs):
        x, = inputs
        return x.reshape(self.shape),

    def backward(self, indexes, grad_outputs):
        x = self.inputs[0]
        return reshape(grad_outputs[0], x.shape),


def reshape(x, shape):
    """Reshapes ``x`` to ``shape`` (one dimension may be -1)."""
    if isinstance(shape, (int, numpy.integer)):
        shape = (int(shape),)
    shape = tuple(shape)
    if x.shape == shape:
        from chainer.functions.array.identity import identity
        return identity(x)
    return Reshape(shape).apply((x,))[0]
