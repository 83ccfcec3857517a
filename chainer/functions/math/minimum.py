"""Elementwise minimum of two variables."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.maximum import SelectGrad, _check_pair


class Minimum(function_node.FunctionNode):
    """Elementwise minimum (broadcasting)."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        _check_pair(in_types)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x1, x2 = inputs
        xp = backend.get_array_module(x1)
        return utils.force_array(xp.minimum(x1, x2)),

    def backward(self, indexes, grad_outputs):
        x1, x2 = self.get_retained_inputs()
        # Ties send the gradient to x1.
        cond = utils.force_array(x1.array <= x2.array)
        return SelectGrad(cond, x1.shape, x2.shape).apply(grad_outputs)


def minimum(x1, x2):
    """Elementwise minimum of two float variables of the same dtype (broadcasting)."""
    return Minimum().apply((x1, x2))[0]
