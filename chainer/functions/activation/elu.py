"""Exponential linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class ELU(function_node.FunctionNode):
    """Elementwise ``x`` for ``x > 0`` and ``alpha * (exp(x) - 1)`` otherwise."""

    is_elementwise = True

    def __init__(self, alpha: float = 1.0):
        self.alpha = float(alpha)

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        if self.alpha < 0.0:
            self.retain_inputs((0,))
        self.retain_outputs((0,))
        if xp is not numpy:
            return array_utils.compute_kernel(
                'T x, C alpha', 'T y', 'C v = (C)x; y = (T)(v <= (C)0 ? expm1(v) * alpha : v)',
                'rechainer_elu', x.dtype)(x, self.alpha),
        zero = x.dtype.type(0)
        if not math.isfinite(self.alpha):
            # alpha * expm1(0) would be NaN: only the select keeps x where x > 0.
            with numpy.errstate(invalid='ignore'):
                neg = x.dtype.type(self.alpha) * numpy.expm1(numpy.minimum(x, zero))
            return numpy.where(x > zero, x, neg),
        # max(x, 0) + alpha * expm1(min(x, 0)): one of the two terms is exactly 0,
        # so this is the select without a select (NumPy runs one branch by branch,
        # slow on mixed signs), and expm1 never overflows.
        alpha = array_utils.python_constant(x.dtype, self.alpha)
        return array_utils.in_compute_blocks(_elu, (x,), zero, alpha, x.dtype),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        # Unless alpha is negative the output is positive exactly where the input
        # is, so the input is retained only for a negative alpha, as in Chainer.
        if self.alpha < 0.0:
            pos = self.get_retained_inputs()[0].array > 0
        else:
            pos = y.array > 0
        return ELUGrad(self.alpha, pos).apply((y,))[0] * gy,


class ELUGrad(function_node.FunctionNode):
    """``dy/dx`` of ELU from its output ``y``: 1 where ``pos``, ``y + alpha``
    elsewhere (``alpha * exp(x)``)."""

    is_elementwise = True

    def __init__(self, alpha: float, pos):
        self.alpha = alpha
        self.pos = pos

    def forward(self, inputs):
        y, = inputs
        xp = backend.get_array_module(y)
        # (min(y, c) + alpha) * (not pos) + pos with c = max(0, -alpha): where
        # not pos, y lies between 0 and -alpha, so min(y, c) is y; where pos,
        # the first term is a finite value times 0.
        pos = self.pos
        if xp is not numpy:
            # (y > c ? c : y) keeps a NaN, as the minimum below does.
            return array_utils.compute_kernel(
                'T y, bool pos, C alpha, C c', 'T gx',
                'C v = (C)y; gx = pos ? (T)1 : (T)((v > c ? c : v) + alpha)',
                'rechainer_elu_grad', y.dtype)(y, pos, self.alpha, max(0.0, -self.alpha)),
        t = y.dtype.type
        # float16 in float32: one rounding at the end, as NumPy's float16 sum rounds.
        c = t(max(0.0, -self.alpha))
        alpha = array_utils.python_constant(y.dtype, self.alpha)
        if not math.isfinite(self.alpha):
            yc = array_utils.as_compute(y)
            gx = numpy.minimum(yc, c, out=numpy.empty_like(yc))
            gx += alpha
            return numpy.where(pos, t(1), gx).astype(y.dtype, copy=False),
        return array_utils.in_compute_blocks(_elu_grad, (y, pos), c, alpha),

    def backward(self, indexes, grad_outputs):
        ggx, = grad_outputs
        return ggx * (~self.pos),


def _elu(xc, zero, alpha, dtype):
    neg = numpy.minimum(xc, zero, out=numpy.empty_like(xc))
    numpy.expm1(neg, out=neg)
    if xc.dtype != dtype:
        # NumPy's float16 arithmetic is float32 arithmetic rounded after each
        # operation (and slow): round expm1 as it would, then the product of
        # two float16 values is exact in float32 and the sum has a zero term.
        neg = neg.astype(dtype).astype(xc.dtype)
    neg *= alpha
    neg += numpy.maximum(xc, zero)
    return neg


def _elu_grad(yc, pos, c, alpha):
    gx = numpy.minimum(yc, c, out=numpy.empty_like(yc))
    gx += alpha
    gx *= ~pos
    gx += pos
    return gx


def elu(x: VariableOrArray, alpha: float = 1.0) -> Variable:
    """Exponential linear unit: ``x`` if ``x > 0``, else ``alpha * (exp(x) - 1)``.

    Args:
        x: Input Variable or array of a float dtype.
        alpha (float): Scale of the negative part.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = ELU(alpha=alpha).apply((x,))
    return y
