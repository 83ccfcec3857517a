"""Transpose."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Transpose(function_node.FunctionNode):
    """Permutes the axes of an array."""

    def __init__(self, axes=None):
        self.axes = axes

    @property
    def label(self):
        return 'Transpose'

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        if self.axes is not None:
            with type_check._failing_as(type_check._InvalidValue):
                type_check.expect(in_types[0].ndim == len(self.axes))

    def forward(self, inputs):
        x, = inputs
        return x.transpose(self.axes),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        axes = self.axes
        if axes is None:
            inv = None
        else:
            n = len(axes)
            inv = tuple(numpy.argsort([a % n for a in axes]).tolist())
        return Transpose(inv).apply((gy,))


def transpose(x: VariableOrArray, axes: int | Sequence[int] | None = None) -> Variable:
    """Permutes the axes of ``x`` (reverses them when ``axes`` is None)."""
    if axes is not None:
        axes = tuple(argument._int(a, 'axes') for a in axes)  # floats, bools refused
    return Transpose(axes).apply((x,))[0]
