"""Parametric rectified linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.array.where import where
from chainer.functions.math.sum import sum_to
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _extended_shape(w_shape: tuple, x_ndim: int) -> tuple:
    """Shape of the parameter aligned with axes ``1 .. 1 + ndim`` of ``x``."""
    return (1,) + tuple(w_shape) + (1,) * (x_ndim - 1 - len(w_shape))


def _check_param_types(in_types, names) -> None:
    type_check._argname(in_types, names)
    x_type, w_type = in_types
    type_check.expect(
        x_type.dtype.kind == 'f',
        w_type.dtype == x_type.dtype,
        x_type.ndim >= w_type.ndim + 1,
        x_type.shape[1:1 + type_check.eval(w_type.ndim)] == w_type.shape,
    )


class PReLUFunction(function_node.FunctionNode):
    """``x`` where ``x >= 0``, ``W * x`` elsewhere (``W`` along axes 1, 2, ...)."""

    def check_type_forward(self, in_types):
        _check_param_types(in_types, ('x', 'W'))

    def forward(self, inputs):
        x, W = inputs
        self.retain_inputs((0, 1))
        xp = backend.get_array_module(x)
        w = W.reshape(_extended_shape(W.shape, x.ndim))
        if xp is not numpy:
            y = array_utils.compute_kernel(
                'T x, T w', 'T y', 'y = x >= (T)0 ? x : (T)((C)x * (C)w)',
                'rechainer_prelu', x.dtype)(x, w)
            return y,
        if not numpy.isfinite(W).all():
            # A NaN or infinite slope (a diverged update) must not reach x >= 0,
            # where the product below would give 0 * inf = NaN: Chainer scaled
            # only x < 0 (so x == 0 times an infinity, dropped here, does not warn).
            # (Not a dot product of W with itself: a huge finite float16 slope
            # overflows it, with a warning of its own.)
            with numpy.errstate(invalid='ignore'):
                return array_utils.select(x >= 0, x, x * w),
        # W * min(x, 0) + max(x, 0): one term is exactly 0 (no select, which NumPy
        # runs branch by branch).
        zero = x.dtype.type(0)
        y = xp.minimum(x, zero, out=xp.empty_like(x))
        y *= array_utils.sample_operand(w, x)
        y += xp.maximum(x, zero)
        return y,

    def backward(self, indexes, grad_outputs):
        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        xp = backend.get_array_module(x.array)
        neg = ~(x.array >= 0)  # NaN takes the slope, as in Chainer (its W gradient NaN)
        ext = _extended_shape(W.shape, x.ndim)
        # Selected, not masked by products, so that an infinite gy stays infinite.
        # The reduced W gradient first: its temporaries the size of x are gone
        # before gx, the size of x, is built.
        gw = gx = None
        if 1 in indexes:
            gw = reshape(sum_to(where(neg, gy * x, xp.zeros((), x.dtype)), ext), W.shape)
        if 0 in indexes:
            w = broadcast_to(reshape(W, ext), x.shape)
            gx = gy * where(neg, w, xp.ones((), x.dtype))
        return tuple(gx if i == 0 else gw for i in indexes)


def prelu(x: VariableOrArray, W: VariableOrArray) -> Variable:
    """Parametric ReLU: ``x`` if ``x >= 0``, else ``W * x``.

    ``W`` is shared over the first axis (the batch) and over the axes of ``x``
    after ``1 + W.ndim``; its shape must equal ``x.shape[1:1 + W.ndim]``.

    Args:
        x: Input Variable or array of a float dtype.
        W: Slope Variable or array of the same dtype.

    Returns:
        ~chainer.Variable: Output of the shape and dtype of ``x``.
    """
    y, = PReLUFunction().apply((x, W))
    return y
