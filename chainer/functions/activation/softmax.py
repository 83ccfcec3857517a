"""Softmax along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as _array
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _check_axis(in_types, axis: int, name: str = 'x') -> None:
    type_check._argname(in_types, (name,))
    x_type, = in_types
    type_check.expect(x_type.dtype.kind == 'f')
    type_check.expect(-x_type.ndim <= axis, axis < x_type.ndim)


def _check_axis_arg(axis) -> int:
    if not type_check._is_int(axis, zero_d=True):
        raise TypeError(f'axis must be an integer, got {type(axis).__name__}')
    return int(axis)


class _AxisSoftmax(function_node.FunctionNode):
    """A softmax-like function along ``axis`` whose gradient needs only its output.

    Subclasses give the array formula (``_compute``, in the compute dtype) and
    the gradient node (``_grad``).
    """

    def __init__(self, axis: int = 1):
        self.axis = _check_axis_arg(axis)

    def check_type_forward(self, in_types):
        _check_axis(in_types, self.axis)

    def forward(self, inputs):
        x, = inputs
        self.retain_outputs((0,))
        if x.size == 0:
            return x.copy(),
        if _array._xp(x) is not numpy:
            m, s = _array.softmax_stats(x, self.axis)
            return _array.compute_kernel('T x, C m, C s', 'T y', self._gpu_code,
                                         self._gpu_name, x.dtype)(x, m, s),
        return utils.force_array(self._compute(x).astype(x.dtype, copy=False)),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return self._grad().apply((y, grad_outputs[0]))


class _AxisSoftmaxGrad(function_node.FunctionNode):
    """The gradient of an :class:`_AxisSoftmax` given its output ``y`` and ``gy``."""

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        if y.size == 0:
            return gy.copy(),
        if _array._xp(y) is not numpy:
            return self._compute_gpu(y, gy),
        rows = _array.softmax_blocks(self.axis, y, gy)
        if rows is None:
            yc, gyc = as_compute(y), as_compute(gy)
            # (float16's float32 copies: the gradient is built in them)
            own = _array.owns_compute_copy(yc, y) and _array.owns_compute_copy(gyc, gy)
            gx = self._compute(yc, gyc, self.axis, own=own)
        else:  # large arrays: block by block of slices, each while it is in cache
            (y_rows, gy_rows), blocks = rows
            gx = numpy.empty(y_rows.shape, y.dtype)
            if y.dtype == _array.compute_dtype(y.dtype):
                for block in blocks:
                    self._compute(y_rows[block], gy_rows[block], 1, gx[block])
            else:  # float16: each block's float32 copies hold its gradient
                for block in blocks:
                    gx[block] = self._compute(as_compute(y_rows[block]),
                                              as_compute(gy_rows[block]), 1, own=True)
            gx = gx.reshape(y.shape)
        return utils.force_array(gx.astype(y.dtype, copy=False)),


class Softmax(_AxisSoftmax):
    """``exp(x) / sum(exp(x), axis)``, shifted by the maximum for stability."""

    # the output from softmax_stats's m and s (in the compute type C)
    _gpu_code = 'y = (T)(exp((C)x - m) / s)'
    _gpu_name = 'rechainer_softmax'

    def _compute(self, x):
        return _array.softmax(x, self.axis, x.dtype)

    def _grad(self):
        return _SoftmaxGrad(self.axis)


class _SoftmaxGrad(_AxisSoftmaxGrad):
    """``y * gy - y * sum(y * gy, axis)``: the softmax gradient given its output."""

    def _compute(self, y, gy, axis, out=None, own=False):
        # Chainer's form and order, for bit-identical results (with own, y and gy
        # are copies the products are written into)
        gx = numpy.multiply(y, gy, out=gy if own else out)
        s = _array.sum(gx, axis=axis, keepdims=True)
        gx -= numpy.multiply(y, s, out=y) if own else y * s
        return gx

    def _compute_gpu(self, y, gy):
        s = _array.compute_sum('T y, T gy', '(C)y * (C)gy', 'rechainer_sum_products',
                               y.dtype, y, gy, axis=self.axis)
        return _array.compute_kernel('T y, T gy, C s', 'T gx', 'gx = (T)((C)y * (C)gy - (C)y * s)',
                                     'rechainer_softmax_grad', y.dtype)(y, gy, s)

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        axis = self.axis
        shape = y.shape
        # Chainer's forms and order (bit-identical results)
        ga = ggx - broadcast_to(_sum(ggx * y, axis=axis, keepdims=True), shape)
        ret = []
        if 0 in indexes:
            s_ygy = broadcast_to(_sum(y * gy, axis=axis, keepdims=True), shape)
            ret.append(ga * gy - ggx * s_ygy)
        if 1 in indexes:
            ret.append(ga * y)
        return tuple(ret)


def softmax(x: VariableOrArray, axis: int = 1) -> Variable:
    """Softmax ``exp(x) / sum(exp(x), axis)`` along ``axis``.

    Args:
        x: Input Variable or array of a float dtype.
        axis (int): The axis along which the softmax is taken.

    Returns:
        ~chainer.Variable: Output of the same shape and dtype.
    """
    y, = Softmax(axis=axis).apply((x,))
    return y
