"""Splitting an array into pieces along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING
import collections.abc

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_int_types = (int, numpy.integer)


class SplitAxis(function_node.FunctionNode):
    """Splits an array along ``axis`` at ``indices`` or into equal ``sections``."""

    def __init__(self, indices_or_sections, axis: int) -> None:
        if isinstance(indices_or_sections, numpy.ndarray) and indices_or_sections.ndim == 0:
            indices_or_sections = indices_or_sections[()]
        if isinstance(indices_or_sections, _int_types) and not isinstance(
                indices_or_sections, bool):
            self.indices = None
            self.sections = int(indices_or_sections)
            if self.sections <= 0:
                raise ValueError('number sections must be larger than 0.')
        elif isinstance(indices_or_sections, collections.abc.Iterable) or hasattr(
                indices_or_sections, 'ndim'):
            if isinstance(indices_or_sections, numpy.ndarray):  # Chainer's checks and texts
                if indices_or_sections.dtype.kind != 'i' and indices_or_sections.size > 0:
                    raise TypeError('indices_or_sections must be integers')
                if indices_or_sections.ndim >= 2:
                    raise TypeError('indices_or_sections must be 1-D sequence')
            if getattr(indices_or_sections, 'ndim', 1) != 1:
                raise TypeError('indices_or_sections must be 1-D sequence')
            indices = []
            for i in indices_or_sections:
                if hasattr(i, 'item'):
                    i = i.item()
                if not isinstance(i, _int_types) or isinstance(i, bool):
                    raise TypeError('indices_or_sections must be integer or 1-D array '
                                    'of integers')
                indices.append(int(i))
            if chainer.is_debug() and any(p > n for p, n in zip(indices, indices[1:])):
                raise ValueError('indices_or_sections must be sorted')
            self.indices = tuple(indices)
            self.sections = None
        else:
            raise TypeError('indices_or_sections must be integer or 1-D array.\n'
                            f'Actual: {type(indices_or_sections)}')
        self.axis = argument._int(axis, 'axis')

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type = in_types[0]
        type_check._expect_axes(x_type, self.axis, negative='>=')
        if self.sections is not None:
            sections = type_check.make_variable(self.sections, 'sections')
            type_check.expect(x_type.shape[self.axis] % sections == 0)
        elif self.indices:
            max_index = type_check.make_variable(self.indices[-1], 'max_index')
            type_check.expect(x_type.shape[self.axis] >= max_index)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        arg = self.sections if self.indices is None else list(self.indices)
        ys = xp.split(x, arg, self.axis)
        self._shapes = [y.shape for y in ys]
        return tuple(ys)

    def backward(self, indexes, grad_outputs):
        # The inverse partner is looked up through chainer.functions at call time.
        ref = next(g for g in grad_outputs if g is not None).array
        xp = backend.get_array_module(ref)
        dtype = self.inputs[0].dtype
        grads = []
        for gy, shape in zip(grad_outputs, self._shapes):
            if gy is None:
                with backend.using_device(backend.get_device_from_array(ref)):
                    gy = chainer.Variable(xp.zeros(shape, dtype), requires_grad=False)
            grads.append(gy)
        return chainer.functions.concat(grads, self.axis),


def split_axis(x: VariableOrArray, indices_or_sections: int | Sequence[int], axis: int,
               force_tuple: bool = True) -> tuple[Variable, ...] | Variable:
    """Splits ``x`` along ``axis`` into pieces.

    Args:
        x: Variable or array to split.
        indices_or_sections: An int ``n`` (split into ``n`` equal pieces) or a
            1-D sequence of split points (as ``numpy.split``).
        axis: The axis to split along.
        force_tuple: Return a tuple even when there is one piece; when False a
            single piece is returned as a Variable.

    Returns:
        A tuple of Variables (or one Variable, see ``force_tuple``).
    """
    ys = SplitAxis(indices_or_sections, axis).apply((x,))
    if not force_tuple and len(ys) == 1:
        return ys[0]
    return ys
