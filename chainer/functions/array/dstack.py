"""Stacking arrays depth-wise (along the third axis)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.functions.array.hstack import _StackLike

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Dstack(_StackLike):
    """Concatenates inputs along axis 2 after promoting them to three dimensions."""

    _min_ndim = 3
    _free_dim = 2
    _xp_name = 'dstack'

    def _promoted_shape(self, shape):
        if len(shape) == 0:
            return (1, 1, 1)
        if len(shape) == 1:
            return (1,) + shape + (1,)
        if len(shape) == 2:
            return shape + (1,)
        return shape

    def _axis(self, ndim):
        return 2


def dstack(xs: Sequence[VariableOrArray]) -> Variable:
    """Concatenates the Variables ``xs`` along the third axis (like ``numpy.dstack``)."""
    function_node._check_inputs_sequence(xs, 'F.dstack')
    return Dstack().apply(xs)[0]
