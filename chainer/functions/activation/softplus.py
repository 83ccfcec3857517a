"""Softplus ``log(1 + exp(beta * x)) / beta``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.array.cast import cast
from chainer.functions.math.exponential import exp
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Softplus(function_node.FunctionNode):
    """Elementwise ``log(1 + exp(beta * x)) / beta``."""

    is_elementwise = True

    def __init__(self, beta: float = 1.0):
        beta = float(beta)
        if beta == 0:
            raise ZeroDivisionError('beta of softplus must not be zero')
        self.beta = beta
        self.beta_inv = 1.0 / beta

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        xp = backend.get_array_module(x)
        if xp is not numpy:
            return array_utils.compute_kernel(
                'T x, C beta, C beta_inv', 'T y',
                '''C z = (C)x * beta;
                   y = (T)((max(z, (C)0) + log1p(exp(-fabs(z)))) * beta_inv);''',
                'rechainer_softplus', x.dtype)(x, self.beta, self.beta_inv),
        if array_utils.python_constant(x.dtype, self.beta).dtype != x.dtype:
            # beta overflows float16: computed in float32, as NumPy 1 (Chainer) did
            return self.forward((x.astype(numpy.float32),))[0].astype(x.dtype),
        t = x.dtype.type
        # log(1 + e^z) = max(z, 0) + log1p(e^-|z|): no overflow, no cancellation;
        # two fresh arrays, the rest in place.
        z = xp.multiply(x, t(self.beta), out=xp.empty_like(x))
        tail = array_utils.log1p_exp_neg_abs(z)
        y = xp.maximum(z, t(0), out=z)
        y += tail
        y *= t(self.beta_inv)
        return y,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        if array_utils.python_constant(x.dtype, self.beta).dtype != x.dtype:
            return grad_outputs[0] * cast(sigmoid(cast(x, numpy.float32) * self.beta), x.dtype),
        return SoftplusGrad(self.beta).apply((x, grad_outputs[0]))


class SoftplusGrad(function_node.FunctionNode):
    """``(1 - 1 / (1 + exp(beta * x))) * gy``: the gradient of softplus, in Chainer's
    form and order (bit-identical results), from inputs ``(x, gy)``."""

    is_elementwise = True

    def __init__(self, beta: float) -> None:
        self.beta = beta

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'gy'))
        type_check.expect(in_types[0].dtype.kind == 'f',
                          in_types[1].dtype == in_types[0].dtype)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        xp = backend.get_array_module(x)
        if xp is not numpy:
            return array_utils.compute_kernel(
                'T x, T gy, C beta', 'T gx',
                'gx = (T)(((C)1 - (C)1 / ((C)1 + exp(beta * (C)x))) * (C)gy)',
                'rechainer_softplus_grad', x.dtype)(x, gy, self.beta),
        one = x.dtype.type(1)
        g = xp.multiply(x, x.dtype.type(self.beta), out=xp.empty(x.shape, x.dtype))
        with numpy.errstate(over='ignore'):  # exp -> inf: a gradient of gy
            xp.exp(g, out=g)
        g += one
        xp.divide(one, g, out=g)
        xp.subtract(one, g, out=g)
        g *= gy
        return g,

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        g, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                e = exp(x * self.beta)
                ret.append(g * gy * self.beta * e / (1 + e) ** 2)
            else:
                ret.append(SoftplusGrad(self.beta).apply((x, g))[0])
        return tuple(ret)


def softplus(x: VariableOrArray, beta: float = 1.0) -> Variable:
    """Softplus ``log(1 + exp(beta * x)) / beta``, a smooth ReLU.

    Args:
        x: Input Variable or array of a float dtype.
        beta (float): Sharpness; larger values approach ``max(x, 0)``.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = Softplus(beta=beta).apply((x,))
    return y
