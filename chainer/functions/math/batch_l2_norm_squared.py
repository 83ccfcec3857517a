"""Squared L2 norm of each sample of a batch."""
from __future__ import annotations


from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class BatchL2NormSquared(function_node.FunctionNode):
    """``sum(x[i] ** 2)`` for each ``i`` of the first axis."""

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, min_ndim=2)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        x2 = as_compute(x.reshape(len(x), utils.size_of_shape(x.shape[1:])))
        return utils.force_array(array_utils.sum(xp.square(x2), 1), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        gy, = grad_outputs
        gy = broadcast_to(reshape(gy, (len(gy),) + (1,) * (x.ndim - 1)), x.shape)
        return 2.0 * x * gy,


def batch_l2_norm_squared(x: VariableOrArray) -> Variable:
    """Squared L2 norm of each sample: ``x`` of shape ``(N, ...)`` gives shape ``(N,)``."""
    return BatchL2NormSquared().apply((x,))[0]
