"""Logistic sigmoid."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer import utils
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Sigmoid(function_node.FunctionNode):
    """Elementwise ``1 / (1 + exp(-x))``."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        y = array_utils.sigmoid(x)
        self.retain_outputs((0,))
        return utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return SigmoidGrad().apply((y, grad_outputs[0]))


class SigmoidGrad(function_node.FunctionNode):
    """``gy * y * (1 - y)``, the gradient of the sigmoid given its output ``y``."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('y', 'gy'))
        type_check.expect(in_types[0].dtype.kind == 'f',
                          in_types[1].dtype == in_types[0].dtype)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        if array_utils._xp(y) is not numpy:
            return array_utils.compute_kernel(
                'T y, T gy', 'T gx', 'gx = (T)((C)gy * (C)y * ((C)1 - (C)y))',
                'rechainer_sigmoid_grad', y.dtype)(y, gy),
        # Chainer's order, (gy * y) * (1 - y), for bit-identical results
        gx = gy * y
        gx *= y.dtype.type(1) - y
        return utils.force_array(gx, y.dtype),

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        g, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(g * gy * (1 - 2 * y))  # Chainer's labels: '_ * 2', '1 - _'
            else:
                ret.append(g * y * (1 - y))
        return tuple(ret)


def sigmoid(x: VariableOrArray) -> Variable:
    """Elementwise logistic sigmoid ``1 / (1 + exp(-x))``.

    Args:
        x: Input Variable or array of a float dtype.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = Sigmoid().apply((x,))
    return y
