"""Classification accuracy (no gradient)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def check_label_shapes(in_types) -> None:
    """Checks ``y`` (N, C, ...) of float scores against integer labels ``t`` (N, ...)."""
    x_type, t_type = in_types
    type_check.expect(
        x_type.dtype.kind == 'f',
        t_type.dtype.kind == 'i',
    )
    t_ndim = type_check.eval(t_type.ndim)
    type_check.expect(
        x_type.ndim >= t_type.ndim,
        x_type.shape[0] == t_type.shape[0],
        x_type.shape[2: t_ndim + 1] == t_type.shape[1:],
    )
    for i in range(t_ndim + 1, type_check.eval(x_type.ndim)):
        type_check.expect(x_type.shape[i] == 1)


class Accuracy(function_node.FunctionNode):
    """Fraction of samples whose arg-max prediction equals the label."""

    def __init__(self, ignore_label=None) -> None:
        self.ignore_label = ignore_label

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        check_label_shapes(in_types)

    def forward(self, inputs):
        y, t = inputs
        xp = backend.get_array_module(y, t)
        pred = y.argmax(axis=1).reshape(t.shape)
        if self.ignore_label is not None:
            mask = t == self.ignore_label
            ignore_cnt = int(mask.sum())
            pred = xp.where(mask, self.ignore_label, pred)
            count = int((pred == t).sum()) - ignore_cnt
            total = t.size - ignore_cnt
            if total == 0:
                return xp.asarray(0.0, dtype=y.dtype),
            return xp.asarray(float(count) / total, dtype=y.dtype),
        return xp.asarray((pred == t).mean(dtype=y.dtype)),

    def backward(self, indexes, grad_outputs):
        # Accuracy is not differentiable; like Chainer, no gradient flows back.
        return (None,) * len(indexes)


def accuracy(y: VariableOrArray, t: VariableOrArray, ignore_label: int | None = None) -> Variable:
    """Computes the multiclass classification accuracy.

    Args:
        y: Scores of shape ``(N, C, ...)``; the prediction is the arg-max over axis 1.
        t: Integer labels of shape ``(N, ...)``.
        ignore_label: A label whose samples are left out of the count, or None.

    Returns:
        ~chainer.Variable: A 0-d Variable of ``y``'s dtype (no gradient).
    """
    return Accuracy(ignore_label=ignore_label).apply((y, t))[0]
