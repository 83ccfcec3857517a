"""Coefficient of determination R^2 (no gradient)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class R2_score(_CallableNode, function_node.FunctionNode):  # noqa: N801 (Chainer's name)
    """R^2 of predictions against true values, per output column."""

    def __init__(self, sample_weight, multioutput) -> None:
        if sample_weight is not None:
            raise NotImplementedError()
        if multioutput in ('uniform_average', 'raw_values'):
            self.multioutput = multioutput
        else:
            raise ValueError('invalid multioutput argument')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('pred', 'true'))
        pred_type, true_type = in_types
        type_check.expect(
            pred_type.dtype.kind == 'f',
            true_type.dtype.kind == 'f',
            pred_type.shape == true_type.shape,
        )

    def forward(self, inputs):
        # Chainer's R2_score, an old-style Function, kept its inputs on the graph
        self.retain_inputs((0, 1))
        pred, true = inputs
        xp = backend.get_array_module(pred, true)
        ss_res = xp.asarray(xp.sum((pred - true) ** 2, axis=0))
        ss_tot = xp.asarray(xp.sum((true - xp.mean(true, axis=0)) ** 2, axis=0))
        ss_tot_iszero = ss_tot == 0
        # A constant column has R^2 = 0 by convention; avoid the division by zero.
        ss_tot[ss_tot_iszero] = 1
        ret = xp.where(ss_tot_iszero, 0.0, 1 - ss_res / ss_tot).astype(pred.dtype, copy=False)
        if self.multioutput == 'uniform_average':
            return xp.asarray(ret.mean()),
        return ret,

    def backward(self, indexes, grad_outputs):
        return (None,) * len(indexes)


def r2_score(pred: VariableOrArray, true: VariableOrArray, sample_weight: None = None,
             multioutput: str = 'uniform_average') -> Variable:
    """Computes the R^2 (coefficient of determination) regression score.

    Args:
        pred: Predicted values, shape ``(N,)`` or ``(N, M)``.
        true: True values of the same shape (any float dtype).
        sample_weight: Not supported; must be None.
        multioutput: ``'uniform_average'`` (the mean over outputs) or
            ``'raw_values'`` (one score per output).

    Returns:
        ~chainer.Variable: The score(s), in the dtype of ``pred`` (no gradient).
    """
    return R2_score(sample_weight, multioutput).apply((pred, true))[0]
