"""Leaky rectified linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class LeakyReLU(function_node.FunctionNode):
    """Elementwise ``x`` for ``x >= 0`` and ``slope * x`` for ``x < 0``."""

    is_elementwise = True

    def __init__(self, slope: float = 0.2):
        self.slope = slope if type(slope) is float else argument._real(slope, 'slope')

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        slope = array_utils.python_constant(x.dtype, self.slope)
        if xp is not numpy:
            # slope 0 maps -inf to 0, as the maximum below does.
            y = array_utils.compute_kernel(
                'T x, C slope', 'T y',
                'C v = (C)x; y = v < (C)0 ? (T)(slope == (C)0 ? (C)0 : v * slope) : x',
                'rechainer_leaky_relu', x.dtype)(x, self.slope)
        elif self.slope == 0:
            y = xp.maximum(x, slope, out=xp.empty_like(x))
        else:
            # For x < 0, slope * x is the larger of x and slope * x exactly when
            # slope <= 1: a maximum (or minimum) instead of a select, which NumPy
            # runs branch by branch (slow on mixed signs).
            # float16 in float32 (NumPy's float16 arithmetic is slow): the product
            # of two float16 values is exact there and rounding commutes with the
            # maximum, so the values are those of float16 arithmetic.
            y = array_utils.in_compute_blocks(
                _leaky, (x,), slope, numpy.maximum if self.slope <= 1 else numpy.minimum)
        if self.slope > 0:
            self.retain_outputs((0,))
        else:
            # Otherwise the sign of y does not tell the side of x (with slope 0,
            # y is -0.0 for x < 0, which is not negative).
            self.retain_inputs((0,))
        return y,

    def backward(self, indexes, grad_outputs):
        if self.slope > 0:
            cond = self.get_retained_outputs()[0].array
        else:
            cond = self.get_retained_inputs()[0].array
        # x == 0 takes the slope, as in Chainer
        return _LeakyReLUGrad(cond <= 0, self.slope).apply(grad_outputs)


class _LeakyReLUGrad(function_node.FunctionNode):
    """``gy`` scaled by ``slope`` where ``neg`` is set; linear in ``gy``."""

    is_elementwise = True

    def __init__(self, neg, slope: float):
        self.neg = neg
        self.slope = slope

    def forward(self, inputs):
        gy, = inputs
        # gy times slope where neg, else 1; the factor is built without a select
        # (one of its two terms is exactly 0).
        neg = self.neg
        if array_utils._xp(gy) is not numpy:
            return array_utils.compute_kernel(
                'bool neg, T gy, C slope', 'T gx', 'gx = neg ? (T)((C)gy * slope) : gy',
                'rechainer_leaky_relu_grad', gy.dtype)(neg, gy, self.slope),
        # float16 in float32, one rounding: the factor is 1 or a float16 value.
        slope = array_utils.python_constant(gy.dtype, self.slope)
        if not numpy.isfinite(slope):
            # inf * 0 would be NaN where neg is not set
            gyc = array_utils.as_compute(gy)
            return utils.force_array(numpy.where(neg, gyc * slope, gyc).astype(gy.dtype), gy.dtype),
        return utils.force_array(
            array_utils.in_compute_blocks(_leaky_grad, (gy, neg), slope), gy.dtype),

    def backward(self, indexes, grad_outputs):
        return _LeakyReLUGrad(self.neg, self.slope).apply(grad_outputs)


def _leaky(xc, slope, extremum):
    y = numpy.multiply(xc, slope, out=numpy.empty_like(xc))
    extremum(y, xc, out=y)
    return y


def _leaky_grad(gyc, neg, slope):
    gx = neg * gyc.dtype.type(slope)
    gx += ~neg
    gx *= gyc
    return gx


def leaky_relu(x: VariableOrArray, slope: float = 0.2) -> Variable:
    """Leaky rectified linear unit: ``x`` if ``x >= 0``, else ``slope * x``.

    Args:
        x: Input Variable or array of a float dtype.
        slope (float): Slope on the negative side.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = LeakyReLU(slope).apply((x,))
    return y
