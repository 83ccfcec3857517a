"""ReLU6: ``min(max(x, 0), 6)``."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.activation.clipped_relu import ClippedReLUGrad
from chainer.utils import type_check


class ReLU6(function_node.FunctionNode):
    """Elementwise ``min(max(x, 0), 6)``."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].dtype.kind == 'f')

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        return utils.force_array(xp.clip(x, 0, 6).astype(x.dtype, copy=False)),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0].array
        return ClippedReLUGrad(x, 6.0).apply(grad_outputs)


def relu6(x):
    """Rectified linear unit clipped at 6, ``min(max(x, 0), 6)``, elementwise.

    Args:
        x: Input Variable or array of a float dtype.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = ReLU6().apply((x,))
    return y
