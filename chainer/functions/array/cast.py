"""Casting a Variable to another dtype."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import function_node
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import DTypeSpec, VariableOrArray
    from chainer.variable import Variable


class Cast(function_node.FunctionNode):
    """Casts its input to ``typ``; the gradient is cast back to the input's dtype."""

    def __init__(self, typ) -> None:
        self.type = typ

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def forward(self, x):
        self._in_type = x[0].dtype.type
        return x[0].astype(self.type, copy=False),

    def backward(self, indexes, g):
        if numpy.dtype(self._in_type).kind != 'f':
            return None,
        return cast(g[0], self._in_type),


def cast(x: VariableOrArray, typ: DTypeSpec) -> Variable:
    """Casts ``x`` to the dtype ``typ`` (a dtype, type or its name such as ``'float16'``).

    As in Chainer, when ``x`` already has dtype ``typ`` and backprop is
    disabled, ``x`` itself is returned (wrapped in a Variable if it is an array).
    """
    if x.dtype == typ:
        if not chainer.config.enable_backprop:
            return chainer.as_variable(x)
    return Cast(typ).apply((x,))[0]


def _as_dtype(x: Variable, dtype: DTypeSpec) -> Variable:
    """``x`` itself if it has ``dtype``, else ``x`` cast to it (a Cast node).

    For gradients computed in another dtype than their input's (mixed-dtype
    operands): unlike :func:`cast`, no node is added when nothing changes.
    """
    return x if x.dtype == dtype else cast(x, dtype)
