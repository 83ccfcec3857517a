"""Numerically stable ``log(sum(exp(x)))`` over axes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.exponential import exp
from chainer.functions.math.minmax import _check_axes, _normalize_axis, _reduced_axes
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class LogSumExp(function_node.FunctionNode):
    """``log(sum(exp(x), axis))`` computed with the maximum shifted out."""

    def __init__(self, axis=None) -> None:
        self.axis = _normalize_axis(axis)

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)
        _check_axes(in_types[0], self.axis)

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        dtype = x.dtype
        xc = as_compute(x)
        m = xp.amax(xc, axis=self.axis, keepdims=True)
        # An all -inf (or +inf) slice must not turn into NaN through inf - inf.
        m = xp.where(xp.isfinite(m), m, xp.zeros_like(m))
        # exp(x - m) in one array the size of x: float16's float32 copy, else a new one
        if xc is not x and isinstance(xc, xp.ndarray):
            e = xc
            e -= m
        else:
            e = xc - m
        del xc
        if isinstance(e, xp.ndarray):
            xp.exp(e, out=e)
        else:
            e = xp.exp(e)
        with numpy.errstate(divide='ignore'):  # an all -inf slice gives -inf
            # (NumPy 1's order on the host; CuPy's own reduction on the GPU)
            y = xp.log(array_utils.sum_in_numpy1_order(e, self.axis, True) if xp is numpy
                       else xp.sum(e, axis=self.axis, keepdims=True))
        del e
        y += m
        if self.axis is None:
            y = y.reshape(())
        else:
            y = xp.squeeze(y, axis=self.axis)
        return utils.force_array(y, dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        axes = _reduced_axes(self.axis, x.ndim)
        kept_shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
        gy = broadcast_to(reshape(gy, kept_shape), x.shape)
        y = broadcast_to(reshape(y, kept_shape), x.shape)
        return gy * exp(x - y),


def logsumexp(x: VariableOrArray, axis: int | Sequence[int] | None = None) -> Variable:
    """``log(sum(exp(x), axis))``, stable for large inputs.

    Args:
        x: Input Variable or array (float).
        axis: None (all axes), an int or a tuple of ints.
    """
    return LogSumExp(axis).apply((x,))[0]
