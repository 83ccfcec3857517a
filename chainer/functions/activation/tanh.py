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
        return TanhGradGrad(indexes).apply((y, gy, grad_outputs[0]))


class TanhGradGrad(function_node.FunctionNode):
    """The gradients of :class:`TanhGrad`'s inputs ``y`` and ``gy`` given ``g``, that
    of its output: ``-2 * gy * t`` and ``g - y * t`` with ``t = y * g``, Chainer's
    forms and order (bit for bit), one output per index in ``indexes`` (0 for
    ``y``, 1 for ``gy``). One node where the formulas take four: double backprop
    through tanh pays the graph overhead once.
    """

    is_elementwise = True

    def __init__(self, indexes: tuple):
        self.indexes = tuple(indexes)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('y', 'gy', 'g'))
        y, gy, g = in_types
        type_check.expect(y.dtype.kind == 'f', gy.dtype == y.dtype, g.dtype == y.dtype,
                          gy.shape == y.shape, g.shape == y.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        y, gy, g = inputs
        indexes = self.indexes
        if type(y) is _gpu_ndarray:  # CuPy: one fused kernel
            c = y.dtype.type(-2)
            if indexes == (0, 1):
                return _grad_grad_kernel('T y, T gy, T g, T c', 'T gy_, T gg',
                                         'T t = y * g; gy_ = gy * c * t; gg = g - y * t',
                                         'both')(y, gy, g, c)
            if indexes == (0,):
                return _grad_grad_kernel('T y, T gy, T g, T c', 'T gy_',
                                         'gy_ = gy * c * (y * g)', 'y')(y, gy, g, c),
            return _grad_grad_kernel('T y, T g', 'T gg', 'gg = g - y * (y * g)', 'gy')(y, g),
        t = y * g
        ret = []
        for i in indexes:
            if i == 0:
                gy_ = gy * y.dtype.type(-2)
                if type(gy_) is _ndarray:
                    gy_ *= t  # a fresh array of its own
                else:
                    gy_ = gy_ * t
                ret.append(utils.force_array(gy_))
            else:
                ret.append(utils.force_array(g - y * t))
        return tuple(ret)

    def backward(self, indexes, grad_outputs):
        # outputs -2 * gy * y * g and g - y * y * g, of inputs (y, gy, g)
        y, gy, g = self.get_retained_inputs()
        a = [None, None]  # the gradients of the two outputs, computed or not
        for k, i in zip(self.indexes, grad_outputs):
            a[k] = i
        a0, a1 = a
        product = basic_math._scaled_product
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(_sum_of(None if a0 is None else product(-2.0, a0, gy, g),
                                   None if a1 is None else product(-2.0, a1, y, g)))
            elif i == 1:
                ret.append(None if a0 is None else product(-2.0, a0, y, g))
            else:
                ret.append(_sum_of(None if a0 is None else product(-2.0, a0, gy, y),
                                   None if a1 is None else TanhGrad().apply((y, a1))[0]))
        return tuple(ret)


def _sum_of(a, b):
    """``a + b`` of two Variables either of which may be None (no term)."""
    if a is None:
        return b
    return a if b is None else a + b


def _grad_grad_kernel(in_params: str, out_params: str, operation: str, which: str):
    return cuda.elementwise(in_params, out_params, operation,
                            f'rechainer_tanh_grad_grad_{which}')


def tanh(x: VariableOrArray) -> Variable:
    """Elementwise hyperbolic tangent."""
    return Tanh().apply((x,))[0]
