"""Moving axes of an array to new positions."""
from __future__ import annotations

from typing import TYPE_CHECKING


from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _as_axis_tuple(axis, name: str) -> tuple:
    axes = type_check._int_tuple(axis)
    if axes is None:
        raise TypeError(f'{name} must be int or tuple of int')
    return axes


def _normalize(axes: tuple, ndim: int, name: str) -> tuple:
    out = tuple(a % ndim if ndim else a for a in axes)
    if len(set(out)) != len(out):
        raise ValueError(f'repeated axis in `{name}` argument')
    return out


class Moveaxis(function_node.FunctionNode):
    """Moves the axes ``source`` to the positions ``destination``."""

    def __init__(self, source, destination) -> None:
        self.source = _as_axis_tuple(source, 'source')
        self.destination = _as_axis_tuple(destination, 'destination')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type = in_types[0]
        type_check.expect(x_type.dtype.kind == 'f')
        type_check._expect_axes(x_type, *self.source, *self.destination)

    def forward(self, inputs):
        x, = inputs
        # (checked after the axes, as in Chainer)
        if len(self.source) != len(self.destination):
            raise ValueError('`source` and `destination` arguments must have the same '
                             'number of elements')
        n = x.ndim
        src = _normalize(self.source, n, 'source')
        dst = _normalize(self.destination, n, 'destination')
        perm = [a for a in range(n) if a not in src]
        for d, s in sorted(zip(dst, src)):
            perm.insert(d, s)
        self._perm = tuple(perm)
        return x.transpose(self._perm),

    def backward(self, indexes, grad_outputs):
        return Moveaxis(self.destination, self.source).apply(grad_outputs)


def moveaxis(x: VariableOrArray, source: int | Sequence[int],
             destination: int | Sequence[int]) -> Variable:
    """Moves the axes ``source`` (int or tuple) of ``x`` to ``destination``."""
    return Moveaxis(source, destination).apply((x,))[0]
