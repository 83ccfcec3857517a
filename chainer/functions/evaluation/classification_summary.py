"""Per-class precision, recall, F-beta score and support (no gradient)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.evaluation.accuracy import check_label_shapes
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _fbeta_score(precision, recall, beta):
    beta2 = beta ** 2
    return (1 + beta2) * precision * recall / (beta2 * precision + recall)


class ClassificationSummary(_CallableNode, function_node.FunctionNode):
    """Computes precision, recall, F-beta score and support of each class."""

    def __init__(self, label_num, beta, ignore_label) -> None:
        self.label_num = label_num
        self.beta = beta
        self.ignore_label = ignore_label

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        check_label_shapes(in_types)

    def forward(self, inputs):
        # Chainer's ClassificationSummary, an old-style Function, kept its inputs on the graph
        self.retain_inputs((0, 1))
        y, t = inputs
        xp = backend.get_array_module(y, t)
        t = t.astype(numpy.int32, copy=False)
        if self.label_num is None:
            label_num = int(xp.amax(t)) + 1 if t.size else 0
        else:
            label_num = self.label_num
            if chainer.is_debug() and not (t < label_num).all():
                raise _ValueAssertionError(
                    f'every label must be smaller than label_num={label_num}')
        mask = (t == self.ignore_label).ravel()
        # Ignored samples go to the extra bin ``label_num``, which is dropped.
        pred = xp.where(mask, label_num, y.argmax(axis=1).ravel())
        true = xp.where(mask, label_num, t.ravel())
        support = xp.bincount(true, minlength=label_num + 1)[:label_num]
        relevant = xp.bincount(pred, minlength=label_num + 1)[:label_num]
        tp_mask = xp.where(pred == true, true, label_num)
        tp = xp.bincount(tp_mask, minlength=label_num + 1)[:label_num]
        with numpy.errstate(divide='ignore', invalid='ignore'):
            precision = tp / relevant
            recall = tp / support
            fbeta = _fbeta_score(precision, recall, self.beta)
        return precision, recall, fbeta, support

    def backward(self, indexes, grad_outputs):
        return (None,) * len(indexes)


def classification_summary(y: VariableOrArray, t: VariableOrArray, label_num: int | None = None,
                           beta: float = 1.0,
                           ignore_label: int = -1) -> tuple[Variable, Variable, Variable, Variable]:
    """Computes precision, recall, F-beta score and support of each class.

    Args:
        y: Scores of shape ``(N, C, ...)``; the prediction is the arg-max over axis 1.
        t: Integer labels of shape ``(N, ...)``.
        label_num: The number of classes; ``max(t) + 1`` when None.
        beta: The weight of recall in the F-beta score.
        ignore_label: A label whose samples are left out.

    Returns:
        tuple: Variables ``(precision, recall, fbeta_score, support)``, each of
        shape ``(label_num,)``; classes never predicted (or never present) get NaN.
    """
    return ClassificationSummary(label_num, beta, ignore_label).apply((y, t))


def precision(y: VariableOrArray, t: VariableOrArray, label_num: int | None = None,
              ignore_label: int = -1) -> tuple[Variable, Variable]:
    """Per-class precision; returns ``(precision, support)``."""
    ret = ClassificationSummary(label_num, 1.0, ignore_label).apply((y, t))
    return ret[0], ret[-1]


def recall(y: VariableOrArray, t: VariableOrArray, label_num: int | None = None,
           ignore_label: int = -1) -> tuple[Variable, Variable]:
    """Per-class recall; returns ``(recall, support)``."""
    ret = ClassificationSummary(label_num, 1.0, ignore_label).apply((y, t))
    return ret[1], ret[-1]


def fbeta_score(y, t, label_num=None, beta=1.0, ignore_label=-1):
    """Per-class F-beta score; returns ``(fbeta_score, support)``."""
    ret = ClassificationSummary(label_num, beta, ignore_label).apply((y, t))
    return ret[2], ret[-1]


def f1_score(y: VariableOrArray, t: VariableOrArray, label_num: int | None = None,
             ignore_label: int = -1) -> tuple[Variable, Variable]:
    """Per-class F1 score; returns ``(f1_score, support)``."""
    ret = ClassificationSummary(label_num, 1.0, ignore_label).apply((y, t))
    return ret[2], ret[-1]
