"""Elementwise absolute error."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.loss.mean_squared_error import _check_pair


class AbsoluteError(function_node.FunctionNode):
    """``|x0 - x1|`` elementwise."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        _check_pair(in_types)

    def forward(self, inputs):
        x0, x1 = inputs
        xp = backend.get_array_module(x0)
        self.diff = x0 - x1
        return utils.force_array(xp.abs(self.diff), x0.dtype),

    def backward(self, indexes, grad_outputs):
        xp = backend.get_array_module(self.diff)
        gx = grad_outputs[0] * xp.sign(self.diff)
        ret = []
        if 0 in indexes:
            ret.append(gx)
        if 1 in indexes:
            ret.append(-gx)
        return tuple(ret)


def absolute_error(x0, x1):
    """Elementwise absolute difference ``|x0 - x1|`` (same shape as the inputs)."""
    return AbsoluteError().apply((x0, x1))[0]
