"""Binary classification accuracy (no gradient)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class BinaryAccuracy(_CallableNode, function_node.FunctionNode):
    """Fraction of elements where ``y >= 0`` agrees with the 0/1 label; -1 labels are ignored."""

    ignore_label = -1

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            t_type.dtype.kind == 'i',
            t_type.shape == x_type.shape,
        )

    def forward(self, inputs):
        # Chainer's BinaryAccuracy, an old-style Function, kept its inputs on the graph
        self.retain_inputs((0, 1))
        y, t = inputs
        xp = backend.get_array_module(y, t)
        y = y.ravel()
        t = t.ravel()
        c = y >= 0
        count = max(1, int((t != self.ignore_label).sum()))
        return xp.asarray(int((c == t).sum()) / count, dtype=y.dtype),

    def backward(self, indexes, grad_outputs):
        return (None,) * len(indexes)


def binary_accuracy(y: VariableOrArray, t: VariableOrArray) -> Variable:
    """Computes the binary classification accuracy.

    Args:
        y: Scores; an element is predicted positive when it is ``>= 0``.
        t: Integer labels (0 or 1) of the same shape; -1 marks ignored elements.

    Returns:
        ~chainer.Variable: A 0-d Variable of ``y``'s dtype (no gradient).
    """
    return BinaryAccuracy().apply((y, t))[0]
