"""Gumbel-Softmax: a differentiable relaxation of sampling from a categorical distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer.functions.activation.softmax import softmax

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def gumbel_softmax(log_pi: VariableOrArray, tau: float = 0.1, axis: int = 1) -> Variable:
    """Draws a relaxed one-hot sample ``softmax((log_pi + g) / tau)`` with Gumbel noise ``g``.

    Args:
        log_pi: Unnormalized log-probabilities of the categories.
        tau: The temperature; small values give nearly one-hot samples.
        axis: The axis of the categories.

    Returns:
        ~chainer.Variable: The sample, of the shape of ``log_pi``.
    """

    xp = backend.get_array_module(log_pi)
    if log_pi.ndim < 1:
        return chainer.Variable(xp.ones((), log_pi.dtype))
    g = xp.random.gumbel(size=log_pi.shape).astype(log_pi.dtype, copy=False)
    return softmax((log_pi + g) / tau, axis=axis)
