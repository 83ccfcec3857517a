"""Flattening an array to one dimension."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.array.reshape import reshape

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def flatten(x: VariableOrArray) -> Variable:
    """Flattens ``x`` into a one-dimensional Variable of ``x.size`` elements."""
    return reshape(x, (x.size,))
