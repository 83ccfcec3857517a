"""Scaled exponential linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.activation.elu import elu

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def selu(x: VariableOrArray, alpha: float = 1.6732632423543772,
         scale: float = 1.0507009873554805) -> Variable:
    """Scaled exponential linear unit ``scale * elu(x, alpha)``.

    The defaults are the self-normalising constants of Klambauer et al. (2017).

    Args:
        x: Input Variable or array of a float dtype.
        alpha (float): Scale of the negative part of the ELU.
        scale (float): Scale of the whole output.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    return elu(x, alpha) * scale
