"""Choosing elements from two arrays by a condition."""
from __future__ import annotations

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check


class Where(function_node.FunctionNode):
    """Takes ``x`` where the condition holds and ``y`` elsewhere (with broadcasting)."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('condition', 'x', 'y'))
        c_type, x_type, y_type = in_types
        type_check.expect(
            c_type.dtype == numpy.bool_,
            x_type.dtype == y_type.dtype,
        )
        type_check.expect_broadcast_shapes(c_type.shape, x_type.shape, y_type.shape)

    def forward(self, inputs):
        self.retain_inputs((0,))
        c, x, y = inputs
        return chainer.utils.force_array(chainer.utils.array.select(c, x, y)),

    def backward(self, indexes, grad_outputs):
        c, = self.get_retained_inputs()
        gy, = grad_outputs
        xp = backend.get_array_module(gy.array)
        with backend.using_device(backend.get_device_from_array(gy.array)):
            zeros = xp.zeros((), gy.dtype)
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(None)
            elif i == 1:
                ret.append(sum_to(where(c, gy, zeros), self.inputs[1].shape))
            else:
                ret.append(sum_to(where(c, zeros, gy), self.inputs[2].shape))
        return tuple(ret)


def where(condition, x, y):
    """Elementwise ``x if condition else y``.

    Args:
        condition: A boolean array or Variable (it gets no gradient).
        x, y: Variables or arrays of the same dtype; all three broadcast together.

    Returns:
        ~chainer.Variable: The chosen elements.
    """
    if isinstance(condition, chainer.Variable):
        condition = condition.array
    elif isinstance(condition, numpy.generic):
        # what comparing 0-d arrays gives (``x.array > 0``)
        condition = numpy.asarray(condition)
    return Where().apply((condition, x, y))[0]
