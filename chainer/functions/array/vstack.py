"""Stacking arrays vertically (row-wise)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.functions.array.hstack import _StackLike

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Vstack(_StackLike):
    """Concatenates inputs along axis 0 after promoting them to two dimensions."""

    _min_ndim = 2
    _free_dim = 0
    _xp_name = 'vstack'
    _named = False

    def _promoted_shape(self, shape):
        return (1,) * (2 - len(shape)) + shape if len(shape) < 2 else shape

    def _axis(self, ndim):
        return 0


def vstack(xs: Sequence[VariableOrArray]) -> Variable:
    """Concatenates the Variables ``xs`` vertically (like ``numpy.vstack``)."""
    function_node._check_inputs_sequence(xs, 'F.vstack')
    return Vstack().apply(xs)[0]
