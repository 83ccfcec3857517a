"""Bilinear function ``y_l = sum_jk e1_j e2_k W_jkl (+ e1 V1 + e2 V2 + b)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.matmul import matmul
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as _array
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable



class BilinearFunction(function_node.FunctionNode):
    """Bilinear form of two batches of vectors with a 3-D weight tensor."""

    def check_type_forward(self, in_types):
        n_in = type_check.eval(in_types.size())
        if n_in not in (3, 6):
            raise type_check.InvalidType(
                f'{in_types.size() == 3} or {in_types.size() == 6}',
                f'{in_types.size()} == {n_in}')
        e1_type, e2_type, w_type = in_types[:3]
        type_check.expect(
            e1_type.dtype.kind == 'f',
            e1_type.ndim >= 2,
            e2_type.dtype == e1_type.dtype,
            e2_type.ndim >= 2,
            e1_type.shape[0] == e2_type.shape[0],
            w_type.dtype == e1_type.dtype,
            w_type.ndim == 3,
        )
        type_check.expect(
            type_check.prod(e1_type.shape[1:]) == w_type.shape[0],
            type_check.prod(e2_type.shape[1:]) == w_type.shape[1],
        )
        if n_in == 6:
            out_size = w_type.shape[2]
            v1_type, v2_type, b_type = in_types[3:]
            type_check.expect(
                v1_type.dtype == e1_type.dtype,
                v1_type.ndim == 2,
                v1_type.shape[0] == w_type.shape[0],
                v1_type.shape[1] == out_size,
                v2_type.dtype == e1_type.dtype,
                v2_type.ndim == 2,
                v2_type.shape[0] == w_type.shape[1],
                v2_type.shape[1] == out_size,
                b_type.dtype == e1_type.dtype,
                b_type.ndim == 1,
                b_type.shape[0] == out_size,
            )

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        e1 = _array.as_matrix(inputs[0])
        e2 = _array.as_matrix(inputs[1])
        W = inputs[2]
        n = e1.shape[0]
        j, k, out = W.shape
        # The outer products e1_j e2_k of each sample, contracted with W by one GEMM.
        outer = (e1[:, :, None] * e2[:, None, :]).reshape(n, j * k)
        y = outer.dot(W.reshape(j * k, out)).astype(e1.dtype, copy=False)
        if len(inputs) == 6:
            V1, V2, b = inputs[3:]
            y += e1.dot(V1).astype(e1.dtype, copy=False)
            y += e2.dot(V2).astype(e1.dtype, copy=False)
            y += b
        return y,

    def backward(self, indexes, grad_outputs):

        inputs = self.get_retained_inputs()
        e1_in, e2_in, W = inputs[:3]
        gy, = grad_outputs
        n = e1_in.shape[0]
        j, k, out = W.shape
        e1 = reshape(e1_in, (n, j))
        e2 = reshape(e2_in, (n, k))
        ret = {}
        if 0 in indexes or 1 in indexes:
            # m[i, j, k] = sum_l gy[i, l] W[j, k, l]
            m = reshape(matmul(gy, reshape(W, (j * k, out)), transb=True), (n, j, k))
            if 0 in indexes:
                ge1 = reshape(matmul(m, reshape(e2, (n, k, 1))), (n, j))
                if len(inputs) == 6:
                    ge1 = ge1 + matmul(gy, inputs[3], transb=True)
                ret[0] = reshape(ge1, e1_in.shape)
            if 1 in indexes:
                ge2 = reshape(matmul(reshape(e1, (n, 1, j)), m), (n, k))
                if len(inputs) == 6:
                    ge2 = ge2 + matmul(gy, inputs[4], transb=True)
                ret[1] = reshape(ge2, e2_in.shape)
        if 2 in indexes:
            outer = (broadcast_to(reshape(e1, (n, j, 1)), (n, j, k))
                     * broadcast_to(reshape(e2, (n, 1, k)), (n, j, k)))
            ret[2] = reshape(matmul(reshape(outer, (n, j * k)), gy, transa=True), (j, k, out))
        if 3 in indexes:
            ret[3] = matmul(e1, gy, transa=True)
        if 4 in indexes:
            ret[4] = matmul(e2, gy, transa=True)
        if 5 in indexes:
            ret[5] = _sum(gy, axis=0)
        return tuple(ret[i] for i in indexes)


def bilinear(e1: VariableOrArray, e2: VariableOrArray, W: VariableOrArray,
             V1: VariableOrArray | None = None, V2: VariableOrArray | None = None,
             b: VariableOrArray | None = None) -> Variable:
    """Bilinear function of two batches of vectors.

    ``y[i, l] = sum_jk e1[i, j] e2[i, k] W[j, k, l]``, plus
    ``e1 V1 + e2 V2 + b`` when the linear terms are given.

    Args:
        e1: Left input of shape ``(N, J)`` (trailing axes are flattened).
        e2: Right input of shape ``(N, K)`` (trailing axes are flattened).
        W: Weight of shape ``(J, K, L)``.
        V1: Weight of shape ``(J, L)`` of the linear term in ``e1``, or None.
        V2: Weight of shape ``(K, L)`` of the linear term in ``e2``, or None.
        b: Bias of shape ``(L,)``, or None.

    Either all of ``V1``, ``V2`` and ``b`` are given, or none of them.

    Returns:
        ~chainer.Variable: Output of shape ``(N, L)``.
    """
    flags = [V1 is None, V2 is None, b is None]
    if any(flags):
        if not all(flags):
            raise ValueError('All coefficients and bias for bilinear() must '
                             'be None, if at least one of them is None.')
        return BilinearFunction().apply((e1, e2, W))[0]
    return BilinearFunction().apply((e1, e2, W, V1, V2, b))[0]

