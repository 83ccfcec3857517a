"""Product of array elements over axes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.concat import concat
from chainer.functions.array.flip import flip
from chainer.functions.array.reshape import reshape
from chainer.functions.array.transpose import transpose
from chainer.functions.math.cumprod import cumprod
from chainer.functions.math.minmax import _check_axes, _keepdims, _normalize_axis, _reduced_axes
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Prod(function_node.FunctionNode):
    """Product over the given axes."""

    def __init__(self, axis=None, keepdims: bool = False) -> None:
        self.axis = _normalize_axis(axis)
        self.keepdims = _keepdims(keepdims)

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)
        _check_axes(in_types[0], self.axis)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        return utils.force_array(xp.prod(x, axis=self.axis, keepdims=self.keepdims), x.dtype),

    def backward(self, indexes, grad_outputs):

        x, = self.get_retained_inputs()
        gy, = grad_outputs
        ndim = x.ndim
        axes = _reduced_axes(self.axis, ndim)
        kept = tuple(a for a in range(ndim) if a not in axes)
        gy = reshape(gy, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
        n = 1
        for a in axes:
            n *= x.shape[a]
        if n == 0:
            return broadcast_to(gy, x.shape) * 0,
        # the reduced axes in the order given, as Chainer flattens them
        order = axes if self.axis is None else tuple(a % ndim for a in self.axis)
        perm = order + kept
        xt = transpose(x, perm) if perm != tuple(range(ndim)) else x
        t_shape = xt.shape
        x2 = reshape(xt, (n,) + t_shape[len(axes):])

        def exclusive_cumprod(v):
            # Product of the preceding elements along axis 0; no division, so
            # zeros in x give exact gradients.
            ones = backend.get_array_module(v.array).ones_like(v.array[:1])
            return cumprod(concat([ones, v[:-1]], 0), 0)

        if n == 1:
            # ones that still depend on x (their derivatives are zeros, not None, as Chainer's)
            gx = x2 ** 0
        else:
            gx = exclusive_cumprod(x2) * flip(exclusive_cumprod(flip(x2, 0)), 0)
        gx = reshape(gx, t_shape)
        if perm != tuple(range(ndim)):
            gx = transpose(gx, tuple(numpy.argsort(perm).tolist()))
        return gx * broadcast_to(gy, x.shape),


def prod(x: VariableOrArray, axis: int | Sequence[int] | None = None,
         keepdims: bool = False) -> Variable:
    """Product of array elements over ``axis`` (None, int or tuple of ints)."""
    return Prod(axis, keepdims).apply((x,))[0]
