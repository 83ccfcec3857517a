"""Elementwise minimum of two variables."""
from __future__ import annotations

from typing import TYPE_CHECKING
import operator

from chainer.functions.math.maximum import _Extremum

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Minimum(_Extremum):
    """Elementwise minimum (broadcasting)."""

    _ufunc = 'minimum'
    _to_x1 = operator.le
    _to_x2 = operator.gt  # as in Chainer: where either is NaN, neither gets gy


def minimum(x1: VariableOrArray, x2: VariableOrArray) -> Variable:
    """Elementwise minimum of two float variables of the same dtype (broadcasting)."""
    return Minimum().apply((x1, x2))[0]
