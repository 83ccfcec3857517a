"""Hyperbolic tangent."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.backends import cuda
from chainer.functions.math import basic_math
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_ndarray = numpy.ndarray
_gpu_ndarray = cuda.ndarray
# From this many elements TanhGrad computes in place (below, the temporaries
# cost less than the extra ufunc arguments).
_IN_PLACE_MIN_SIZE = 4096


class Tanh(function_node.FunctionNode):
    """Elementwise tanh."""

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        self.retain_outputs((0,))
        return utils.force_array(xp.tanh(x)),

    def backward(self, indexes, grad_outputs):
        y = self.get_retained_outputs()[0]
        return TanhGrad().apply((y, grad_outputs[0]))

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        return TanhGrad().forward((outputs[0], grad_outputs[0]))


class TanhGrad(function_node.FunctionNode):
    """``gy * (1 - y ** 2)``, the gradient of tanh given its output ``y``."""

    is_elementwise = True

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        if type(y) is _gpu_ndarray and y.dtype == gy.dtype:
            # CuPy: one fused kernel instead of three
            return cuda.elementwise('T y, T gy', 'T gx', 'gx = gy * ((T)1 - y * y)',
                                    'rechainer_tanh_grad')(y, gy),
        one = y.dtype.type(1)
        if (type(y) is _ndarray and type(gy) is _ndarray and y.size >= _IN_PLACE_MIN_SIZE
                and y.shape == gy.shape and y.dtype == gy.dtype):
            # The same three operations, into one fresh array: no temporaries.
            g = y * y
            numpy.subtract(one, g, out=g)
            return numpy.multiply(gy, g, out=g),
        return utils.force_array(gy * (one - y * y)),

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        g, = grad_outputs
        # Chainer's forms and order (bit-identical results): with t = y * g,
        # -2 * gy * t and g - y * t
        y_g = y * g
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(basic_math._scaled_product(-2.0, gy, y_g))
            else:
                ret.append(g - y * y_g)
        return tuple(ret)


def tanh(x: VariableOrArray) -> Variable:
    """Elementwise hyperbolic tangent."""
    return Tanh().apply((x,))[0]
