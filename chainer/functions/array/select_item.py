"""Selecting one element per row."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.array import check_index_range

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _check_indices(t, n: int) -> None:
    # Debug mode demands labels in [0, n); otherwise labels follow NumPy indexing,
    # which CuPy would wrap instead of raising for those outside [-n, n).
    if chainer.is_debug():
        check_index_range(t, n, 'label t',  # Chainer's text, its typo included
                          message='Each label `t` need to satisfty `0 <= t < x.shape[1]`')
    elif type(t) is not numpy.ndarray:
        check_index_range(t, n, 'label t', allow_negative=True)


class SelectItem(function_node.FunctionNode):
    """Selects ``x[i, t[i]]`` for each row ``i``."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            t_type.dtype.kind == 'i',
            x_type.ndim == 2,
            t_type.ndim == 1,
        )
        type_check.expect(
            x_type.shape[0] == t_type.shape[0],
        )

    def forward(self, inputs):
        self.retain_inputs((1,))
        x, t = inputs
        _check_indices(t, x.shape[1])
        xp = backend.get_array_module(x)
        return x[xp.arange(t.size), t],

    def backward(self, indexes, grad_outputs):
        t, = self.get_retained_inputs()
        return Assign(self.inputs[0].shape).apply((t, grad_outputs[0]))[0], None


class Assign(function_node.FunctionNode):
    """Puts ``gy[i]`` at ``(i, t[i])`` of a zero array (the adjoint of :class:`SelectItem`)."""

    def __init__(self, shape: tuple) -> None:
        self.shape = tuple(shape)

    def forward(self, inputs):
        self.retain_inputs((0,))
        t, gy = inputs
        xp = backend.get_array_module(gy)
        gx = xp.zeros(self.shape, gy.dtype)
        gx[xp.arange(t.size), t] = gy
        return gx,

    def backward(self, indexes, grad_outputs):
        t, = self.get_retained_inputs()
        return None, select_item(grad_outputs[0], t)


def select_item(x: VariableOrArray, t: VariableOrArray) -> Variable:
    """Selects ``x[i, t[i]]`` for every row ``i``.

    Args:
        x: Variable of shape (B, N).
        t: Integer array or Variable of shape (B,) (no gradient).

    Returns:
        ~chainer.Variable of shape (B,).
    """
    return SelectItem().apply((x, t))[0]

