"""Linear (fully connected) transformation ``y = x W^T + b``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer.graph_optimizations.static_graph_utilities import static_code  # NOQA: F401
from chainer.functions.array.cast import _as_dtype, cast
from chainer.functions.array.reshape import reshape
from chainer.functions.math.matmul import matmul
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _dot_t(a, b, bias=None):
    """``a @ b.T (+ bias)`` in the dtype of ``a`` (float16 products accumulate in
    float32), as Chainer's ``x.dot(W.T)``: BLAS rounds the transposed product
    ``(W @ x.T).T`` differently on some CPUs, though it can be faster for few rows."""
    y = a.dot(b.T).astype(a.dtype, copy=False)
    if bias is not None:
        # y is a fresh array owned by us: add the bias in place (no copy).
        y += bias
    return y


def _grad_data(W, gy):
    """``gy W``: the gradient of ``x W^T`` w.r.t. ``x``, in the dtype of ``gy``."""
    return gy.dot(W).astype(gy.dtype, copy=False)


def _grad_weight(x, gy):
    """``gy^T x``: the gradient of ``x W^T`` w.r.t. ``W``, in the dtype of ``gy``."""
    return gy.T.dot(x).astype(gy.dtype, copy=False)


class LinearFunction(function_node.FunctionNode):
    """``x W^T (+ b)`` for a matrix ``x`` of shape ``(N, in)`` and ``W`` of ``(out, in)``."""

    def check_type_forward(self, in_types):
        x_type, w_type, b_type = type_check._expect_x_w_b(in_types)
        type_check.expect(
            x_type.dtype.kind == 'f',
            w_type.dtype.kind == 'f',
            x_type.ndim == 2,
            w_type.ndim == 2,
        )
        type_check.expect(x_type.shape[1] == w_type.shape[1])
        if b_type is not None:
            type_check.expect(
                b_type.dtype == x_type.dtype,
                b_type.ndim == 1,
                b_type.shape[0] == w_type.shape[0],
            )

    # W and b: the gradients summed over the uses of a weight (a loop's steps)
    _grad_into_inputs = (1, 2)

    def forward(self, inputs):
        # mixed NumPy/CuPy inputs: TypeError also with the type check off
        function_node._check_array_types(self, inputs)
        self.retain_inputs((0, 1))
        return _dot_t(inputs[0], inputs[1], inputs[2] if len(inputs) == 3 else None),

    def backward(self, indexes, grad_outputs):

        x, W = self.get_retained_inputs()
        gy, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                gx, = LinearGradData().apply((W, gy))
                ret.append(_as_dtype(gx, x.dtype))
            elif i == 1:
                gW, = LinearGradWeight().apply((x, gy))
                ret.append(_as_dtype(gW, W.dtype))
            else:
                ret.append(_sum(gy, axis=0))
        return tuple(ret)

    def _add_grad_into(self, index, grad_outputs, acc, fresh):
        gy = grad_outputs[0].array
        if index == 1:  # gW = gy^T x, as LinearGradWeight computes it, added to acc
            return array_utils.add_matmul_ta(acc, gy, self.inputs[0].data, fresh)
        # gb: gy summed over the batch as F.sum sums it, added to acc (no Sum node)
        if not (type(gy) is numpy.ndarray and type(acc) is numpy.ndarray
                and gy.dtype == acc.dtype and gy.ndim == 2 and acc.shape == gy.shape[1:]
                and (fresh or acc.flags.writeable)):
            return None
        gb = array_utils.sum(gy, axis=0)
        if fresh:
            return acc + gb
        acc += gb
        return acc

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay), through the array
        functions of the Grad nodes' forward."""
        x, W = inputs[0], inputs[1]
        gy, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(_grad_data(W, gy).astype(x.dtype, copy=False))
            elif i == 1:
                ret.append(_grad_weight(x, gy).astype(W.dtype, copy=False))
            else:
                ret.append(array_utils.sum(gy, axis=0))
        return tuple(ret)


class LinearGradData(function_node.FunctionNode):
    """``gx = gy W``: the gradient of :class:`LinearFunction` w.r.t. ``x``."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        W, gy = inputs
        return _grad_data(W, gy),

    def backward(self, indexes, grad_outputs):

        W, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                # d(gy W)/dW contracted with ggx: gy^T ggx, shape (out, in).
                gW = matmul(gy, ggx, transa=True)
                ret.append(_cast_like(gW, W))
            else:
                ret.append(_cast_like(linear(ggx, W), gy))
        return tuple(ret)


class LinearGradWeight(function_node.FunctionNode):
    """``gW = gy^T x``: the gradient of :class:`LinearFunction` w.r.t. ``W``."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        return _grad_weight(x, gy),

    def backward(self, indexes, grad_outputs):

        x, gy = self.get_retained_inputs()
        ggW, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(_cast_like(matmul(gy, ggW), x))
            else:
                ret.append(_cast_like(linear(x, ggW), gy))
        return tuple(ret)


def _cast_like(v, ref):
    if v.dtype == ref.dtype:
        return v
    return cast(v, ref.dtype)


def linear(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
           n_batch_axes: int = 1) -> Variable:
    """Linear function (fully connected layer): ``y = x W^T + b``.

    Args:
        x: Input of shape ``(s_1, ..., s_n, ...)``; the first ``n_batch_axes``
            axes are batch axes and the remaining ones are flattened into one.
        W: Weight matrix of shape ``(out_size, in_size)``.
        b: Bias of shape ``(out_size,)``, or None.
        n_batch_axes: The number of leading batch axes of ``x``.

    Returns:
        ~chainer.Variable: Output of shape ``batch_shape + (out_size,)``.
    """

    if n_batch_axes <= 0:
        raise ValueError('n_batch_axes should be greater than 0.')
    batch_shape = None
    if n_batch_axes > 1:
        batch_shape = tuple(x.shape[:n_batch_axes])
        size = 1
        for s in batch_shape:
            size *= s
        x = x.reshape((size, _rest_size(size, x.shape[n_batch_axes:])))
    elif x.ndim > 2:
        # an array input is reshaped as an array (no Reshape node), as in Chainer
        x = x.reshape((x.shape[0], _rest_size(x.shape[0], x.shape[1:])))
    y, = LinearFunction().apply((x, W) if b is None else (x, W, b))
    if batch_shape is not None:
        y = reshape(y, batch_shape + (_rest_size(size, y.shape[1:]),))
    return y


def _rest_size(batch: int, shape) -> int:
    """-1 (as Chainer reshaped, which an exported graph keeps), or the size of
    ``shape`` where a batch of 0 leaves -1 undetermined."""
    if batch:
        return -1
    n = 1
    for s in shape:
        n *= s
    return n

