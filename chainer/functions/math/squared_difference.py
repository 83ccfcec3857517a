"""Elementwise squared difference."""
from __future__ import annotations

from chainer import function_node
from chainer import utils
from chainer.utils import type_check


class SquaredDifference(function_node.FunctionNode):
    """``(x1 - x2) ** 2`` elementwise."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x1', 'x2'))
        a, b = in_types
        type_check.expect(a.dtype.kind == 'f', a.dtype == b.dtype, a.shape == b.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x1, x2 = inputs
        diff = x1 - x2
        return utils.force_array(diff * diff, x1.dtype),

    def backward(self, indexes, grad_outputs):
        x1, x2 = self.get_retained_inputs()
        gx = grad_outputs[0] * (x1 - x2) * 2.0
        ret = []
        if 0 in indexes:
            ret.append(gx)
        if 1 in indexes:
            ret.append(-gx)
        return tuple(ret)


def squared_difference(x1, x2):
    """Elementwise squared difference ``(x1 - x2) ** 2``."""
    return SquaredDifference().apply((x1, x2))[0]
