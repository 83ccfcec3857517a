"""Adding values to selected elements of an array (out of place)."""
from __future__ import annotations

from chainer import function_node
from chainer.functions.array.get_item import _normalize_slices
from chainer.functions.array.get_item import get_item
from chainer.functions.math.sum import sum_to
from chainer.utils import array as _array
from chainer.utils import type_check


class ScatterAdd(function_node.FunctionNode):
    """Returns ``a`` with ``b`` added at ``a[slices]`` (repeated indices accumulate)."""

    def __init__(self, slices) -> None:
        self.slices = _normalize_slices(slices)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a', 'b'))
        a_type, b_type = in_types
        type_check.expect(a_type.dtype == b_type.dtype)

    def forward(self, inputs):
        a, b = inputs
        y = a.copy()
        _array.scatter_add(y, self.slices, b)
        return y,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(gy)
            else:
                ret.append(sum_to(get_item(gy, self.slices), self.inputs[1].shape))
        return tuple(ret)


def scatter_add(a, slices, b):
    """Returns a copy of ``a`` with ``b`` added at ``a[slices]``.

    Unlike ``a[slices] += b``, elements selected several times receive every
    addition. ``b`` must broadcast to the shape of ``a[slices]``.
    """
    return ScatterAdd(slices).apply((a, b))[0]
