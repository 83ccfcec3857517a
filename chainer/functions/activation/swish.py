"""Swish ``x * sigmoid(beta * x)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import function_node
from chainer import utils
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.activation.prelu import _extended_shape
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Swish(function_node.FunctionNode):
    """``x * sigmoid(beta * x)`` with ``beta`` along axes 1, 2, ... of ``x``."""

    def check_type_forward(self, in_types):
        # Chainer's checks (PReLU's differ in their order and operands).
        type_check._argname(in_types, ('x', 'beta'))
        x_type, beta_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            beta_type.dtype == x_type.dtype,
            beta_type.ndim <= x_type.ndim - 1,
            beta_type.shape == x_type.shape[1:1 + type_check.eval(beta_type.ndim)],
        )

    def forward(self, inputs):
        x, beta = inputs
        self.retain_inputs((0, 1))
        b = array_utils.sample_operand(beta.reshape(_extended_shape(beta.shape, x.ndim)), x)
        return utils.force_array(x * array_utils.sigmoid(b * x), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, beta = self.get_retained_inputs()
        return SwishGrad(beta.ndim).apply((x, beta, grad_outputs[0]))[:2]


class SwishGrad(function_node.FunctionNode):
    """The gradients of swish for ``x`` and ``beta`` from inputs ``(x, beta, gy)``, in
    Chainer's forms and order (bit-identical results): with ``s = sigmoid(beta * x)``,
    ``y = x * s`` and ``by = beta * y``, ``gx = gy * (by + s * (1 - by))`` and
    ``gbeta = sum(gy * y * (x - y))`` over the axes ``beta`` is broadcast along."""

    def __init__(self, beta_ndim: int) -> None:
        self.beta_ndim = beta_ndim

    def _axes(self, ndim: int) -> tuple:
        return (0,) + tuple(range(1 + self.beta_ndim, ndim))

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, beta, gy = inputs
        b = beta.reshape(_extended_shape(beta.shape, x.ndim))
        if array_utils._xp(x) is not numpy:
            gx, gb = array_utils.compute_kernel(
                'T x, T b, T gy', 'T gx, T gb',
                '''C s = tanh((C)b * (C)x * (C)0.5) * (C)0.5 + (C)0.5;
                   C y = (C)x * s;
                   C by = (C)b * y;
                   gx = (T)((C)gy * (by + s * ((C)1 - by)));
                   gb = (T)((C)gy * y * ((C)x - y));''',
                'rechainer_swish_grad', x.dtype)(x, b, gy)
        else:
            b = array_utils.sample_operand(b, x)
            s = array_utils.sigmoid(b * x)
            y = x * s
            by = b * y
            gx = gy * (by + s * (x.dtype.type(1) - by))
            gb = gy * y * (x - y)
        return gx, utils.force_array(gb.sum(axis=self._axes(x.ndim)))

    def backward(self, indexes, grad_outputs):
        x, beta, gy = self.get_retained_inputs()
        ext = _extended_shape(beta.shape, x.ndim)
        ggx, ggb = grad_outputs
        b = broadcast_to(reshape(beta, ext), x.shape)
        s = sigmoid(b * x)
        y = x * s
        by = b * y
        one_minus_s = 1 - s
        s_one_minus_by = s * (1 - by)
        y_x_minus_y = y * (x - y)
        x_minus_2y = x - 2 * y
        ret = []
        if ggb is not None:
            ggb = broadcast_to(reshape(ggb, ext), x.shape)
        # d(gx)/d(beta) = d(gbeta)/d(x) per element
        cross = gy * y * (2 + b * x_minus_2y) * one_minus_s
        for i in indexes:
            if i == 0:
                terms = [] if ggx is None else [
                    ggx * gy * b * one_minus_s * (by + 2 * s_one_minus_by)]
                if ggb is not None:
                    terms.append(ggb * cross)
                ret.append(_total(terms, x))
            elif i == 1:
                terms = [] if ggx is None else [ggx * cross]
                if ggb is not None:
                    terms.append(ggb * gy * y_x_minus_y * x_minus_2y)
                ret.append(_sum(_total(terms, x), axis=self._axes(x.ndim)))
            else:
                terms = [] if ggx is None else [ggx * (by + s_one_minus_by)]
                if ggb is not None:
                    terms.append(ggb * y_x_minus_y)
                ret.append(_total(terms, x))
        return tuple(ret)


def _total(terms, like):
    """The sum of ``terms`` (left to right), zeros like ``like`` if there are none."""
    if not terms:
        return chainer.Variable(like.xp.zeros(like.shape, like.dtype))
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    return total


def swish(x: VariableOrArray, beta: VariableOrArray) -> Variable:
    """Swish activation ``x * sigmoid(beta * x)``.

    ``beta`` is shared over the first axis (the batch) and over the axes of
    ``x`` after ``1 + beta.ndim``; its shape must equal ``x.shape[1:1 + beta.ndim]``.

    Args:
        x: Input Variable or array of a float dtype.
        beta: Variable or array of the same dtype.

    Returns:
        ~chainer.Variable: Output of the shape and dtype of ``x``.
    """
    y, = Swish().apply((x, beta))
    return y
