"""Simplified DropConnect: a linear layer whose weights are dropped at random."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.array.cast import _as_dtype
from chainer.functions.array.reshape import reshape
from chainer.functions.math.matmul import matmul
from chainer.functions.math.sum import sum as _sum
from chainer.utils import argument
from chainer.utils import array as _array
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable



class SimplifiedDropconnect(function_node.FunctionNode):
    """``y = x (W * mask / (1 - ratio))^T + b`` with a per-sample or shared mask."""

    def __init__(self, ratio: float, mask=None, use_batchwise_mask: bool = True) -> None:
        self.ratio = argument._real(ratio, 'ratio')
        self.mask = mask
        self.use_batchwise_mask = use_batchwise_mask

    def check_type_forward(self, in_types):
        x_type, w_type, b_type = type_check._expect_x_w_b(in_types)
        type_check.expect(
            x_type.dtype.kind == 'f',
            w_type.dtype.kind == 'f',
            x_type.ndim >= 2,
            w_type.ndim >= 2,
        )
        # Chainer's W was 2-d: prod(x.shape[1:]) == W.shape[1].
        w_in = (w_type.shape[1] if type_check.eval(w_type.ndim) == 2
                else type_check.prod(w_type.shape[1:]))
        type_check.expect(type_check.prod(x_type.shape[1:]) == w_in)
        if b_type is not None:
            type_check.expect(
                b_type.dtype == x_type.dtype,
                b_type.ndim == 1,
                b_type.shape[0] == w_type.shape[0],
            )
        if self.mask is not None:
            mask_shape = tuple(self.mask.shape)
            w_shape = type_check.eval(w_type.shape)
            if self.use_batchwise_mask:
                expected = (type_check.eval(x_type.shape[0]),) + tuple(w_shape)
            else:
                expected = tuple(w_shape)
            if mask_shape != expected:
                raise type_check.InvalidType(
                    f'mask.shape == {expected}', f'mask.shape == {mask_shape}')

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x = _array.as_matrix(inputs[0])
        W = inputs[1]
        W = W.reshape(len(W), -1) if W.ndim != 2 else W
        xp = backend.get_array_module(x, W)
        n_out, n_in = W.shape
        if self.mask is None:
            shape = ((x.shape[0], n_out, n_in) if self.use_batchwise_mask else (n_out, n_in))
            if xp is numpy:
                self.mask = numpy.random.rand(*shape) >= self.ratio
            else:
                self.mask = xp.random.rand(*shape, dtype=numpy.float32) >= self.ratio
        elif isinstance(self.mask, chainer.Variable):
            self.mask = _array.on_device_of(self.mask.array, W)
        else:
            self.mask = _array.on_device_of(self.mask, W)
        Wm = W * self._scaled_mask(n_in, W.dtype)
        if self.use_batchwise_mask:
            # (i) batch, (o) out, (j) in
            y = xp.einsum('ij,ioj->io', x, Wm).astype(x.dtype, copy=False)
        else:
            y = x.dot(Wm.T).astype(x.dtype, copy=False)
        if len(inputs) == 3:
            y += inputs[2]
        return y,

    def _scaled_mask(self, n_in, dtype):
        # The constant factor of W in this op, made from the boolean mask when
        # needed: the node keeps only the mask (as Chainer does), no float copy.
        lead = self.mask.shape[:2 if self.use_batchwise_mask else 1]
        mask = self.mask.reshape(lead + (n_in,))
        return (mask * dtype.type(1.0 / (1 - self.ratio))).astype(dtype, copy=False)

    def backward(self, indexes, grad_outputs):

        x_in, W_in = self.get_retained_inputs()
        gy, = grad_outputs
        n = x_in.shape[0]
        n_out = W_in.shape[0]
        n_in = W_in.size // n_out
        x = reshape(x_in, (n, n_in))
        W = reshape(W_in, (n_out, n_in))
        m = self._scaled_mask(n_in, W_in.dtype)
        ret = []
        for i in indexes:
            if i == 0:
                if self.use_batchwise_mask:
                    # gx[i, j] = sum_o gy[i, o] W[o, j] m[i, o, j]
                    gx = reshape(matmul(reshape(gy, (n, 1, n_out)), W * m), (n, n_in))
                else:
                    gx = matmul(gy, W * m)
                gx = reshape(gx, x_in.shape)
                ret.append(_as_dtype(gx, x_in.dtype))
            elif i == 1:
                if self.use_batchwise_mask:
                    # Chainer's form and order: sum(gy * x * mask) * scale, the
                    # products broadcast (its bits, second derivatives included)
                    outer = reshape(gy, (n, n_out, 1)) * reshape(x, (n, 1, n_in))
                    mask = self.mask.reshape(n, n_out, n_in).astype(W_in.dtype, copy=False)
                    gW = _sum(outer * mask, axis=0) * W_in.dtype.type(1.0 / (1 - self.ratio))
                else:
                    gW = matmul(gy, x, transa=True) * m
                gW = reshape(gW, W_in.shape)
                ret.append(_as_dtype(gW, W_in.dtype))
            else:
                ret.append(_sum(gy, axis=0))
        return tuple(ret)


def simplified_dropconnect(x: VariableOrArray, W: VariableOrArray, b: VariableOrArray | None = None,
                           ratio: float = .5, train: bool = True, mask: NdArray | None = None,
                           use_batchwise_mask: bool = True) -> Variable:
    """Linear function whose weights are dropped at random (simplified DropConnect).

    Each weight is zeroed with probability ``ratio`` and the rest are scaled
    by ``1 / (1 - ratio)``; with ``use_batchwise_mask`` every sample gets its
    own mask.

    Args:
        x: Input of shape ``(N, ...)`` (trailing axes are flattened).
        W: Weight of shape ``(out_size, in_size)``.
        b: Bias of shape ``(out_size,)``, or None.
        ratio: The dropping probability.
        train: When False, nothing is dropped (``ratio`` is taken as 0).
        mask: A boolean mask (``(N,) + W.shape`` or ``W.shape``) to use
            instead of a random one.
        use_batchwise_mask: Use a separate mask per sample.

    Returns:
        ~chainer.Variable: Output of shape ``(N, out_size)``.
    """
    if not train:
        ratio = 0
    args = (x, W) if b is None else (x, W, b)
    return SimplifiedDropconnect(ratio, mask, use_batchwise_mask).apply(args)[0]
