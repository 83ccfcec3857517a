"""Adding values to selected elements of an array (out of place)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.functions.array.cast import _as_dtype
from chainer.functions.array.get_item import _normalize_slices
from chainer.functions.array.get_item import _slices_on_host
from chainer.functions.array.get_item import get_item
from chainer.functions.math.sum import sum_to
from chainer.utils import array as _array
from chainer.utils import type_check

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class ScatterAdd(function_node.FunctionNode):
    """Returns ``a`` with ``b`` added at ``a[slices]`` (repeated indices accumulate)."""

    def __init__(self, slices) -> None:
        self.slices = _normalize_slices(slices)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a', 'b'))
        n_indexed = sum(1 for s in self.slices if s is not None)
        type_check.expect(in_types[0].ndim >= n_indexed)

    def forward(self, inputs):
        a, b = inputs
        if type(a) is numpy.ndarray:
            self.slices = _slices_on_host(self.slices)
        y = a.copy()
        target = y[self.slices].shape
        try:
            fits = numpy.broadcast_shapes(target, b.shape) == target
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f'scatter_add: b of shape {b.shape} does not broadcast to '
                             f'the shape {target} of a[slices]')
        _array.scatter_add(y, self.slices, b.astype(y.dtype, copy=False))
        return y,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(gy)
            else:
                b = self.inputs[1]
                gb = sum_to(get_item(gy, self.slices), b.shape)
                ret.append(_as_dtype(gb, b.dtype))
        return tuple(ret)


def scatter_add(a: VariableOrArray, slices: Any, b: VariableOrArray) -> Variable:
    """Returns a copy of ``a`` with ``b`` added at ``a[slices]``.

    Unlike ``a[slices] += b``, elements selected several times receive every
    addition. ``b`` must broadcast to the shape of ``a[slices]`` (a ValueError
    otherwise; Chainer took only that exact shape) and is cast to ``a``'s dtype.
    """
    return ScatterAdd(slices).apply((a, b))[0]
