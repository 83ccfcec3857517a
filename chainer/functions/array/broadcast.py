"""Broadcasting of Variables."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import ShapeSpec, VariableOrArray
    from chainer.variable import Variable


class Broadcast(function_node.FunctionNode):
    """Broadcasts several variables to their common shape."""

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        type_check.expect_broadcast_shapes(*[t.shape for t in in_types])

    def forward(self, inputs):
        self._in_shapes = [x.shape for x in inputs]
        xp = backend.get_array_module(*inputs)
        return tuple(xp.broadcast_arrays(*inputs))

    def backward(self, indexes, grad_outputs):
        # sum_to imports this module: its partner is looked up through chainer.functions.
        ret = []
        for i in indexes:
            gy = grad_outputs[i]
            ret.append(None if gy is None else chainer.functions.sum_to(gy, self._in_shapes[i]))
        return tuple(ret)


def broadcast(*args: VariableOrArray) -> Variable | tuple[Variable, ...]:
    """Broadcasts the given variables to a common shape.

    Returns a tuple of Variables; with a single argument, that argument as a
    Variable (as in Chainer).
    """
    if len(args) == 1:
        return chainer.as_variable(args[0])
    return Broadcast().apply(args)


class BroadcastTo(function_node.FunctionNode):
    """Broadcasts a variable to a shape."""

    def __init__(self, shape):
        self._shape = tuple(shape)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        ndim = type_check.make_variable(len(self._shape), 'len(shape)')
        type_check.expect(in_types[0].ndim <= ndim)
        shape = type_check.eval(in_types[0].shape)
        for i in range(-1, -len(shape) - 1, -1):
            if shape[i] == self._shape[i] or shape[i] == 1:
                continue
            expect = 'in_type[0].shape[%d] == %d' % (i, self._shape[i])
            if self._shape[i] != 1:
                expect += f' or in_type[0].shape[{i}] == 1'
            actual = f'in_type[0].shape: {shape}'
            raise type_check.InvalidType(expect, actual)

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        shape = self._shape
        if (type(x) is numpy.ndarray and x.size == 1 and x.ndim <= len(shape)
                and x.dtype.kind != 'O'):
            # One element (the gradient of a full sum) broadcasts to any shape with
            # all strides zero; this view costs a tenth of numpy.broadcast_to.
            y = numpy.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
            y.flags.writeable = False
            return y,
        xp = backend.get_array_module(x)
        return xp.broadcast_to(x, self._shape),

    def backward(self, indexes, grad_outputs):
        # sum_to imports this module: its partner is looked up through chainer.functions.
        return chainer.functions.sum_to(grad_outputs[0], self._in_shape),


def broadcast_to(x: VariableOrArray, shape: ShapeSpec) -> Variable:
    """Broadcasts ``x`` to ``shape`` (a read-only view; gradients are summed back)."""
    # As in Chainer, only a tuple equal to x's shape returns x itself; any
    # other form (a list, ...) always adds a BroadcastTo node.
    if isinstance(shape, tuple) and x.shape == shape:
        return chainer.as_variable(x)
    if isinstance(shape, (int, numpy.integer)):
        shape = (int(shape),)
    shape = tuple(shape)
    return BroadcastTo(shape).apply((x,))[0]
