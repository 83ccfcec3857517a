"""Cholesky decomposition of a symmetric positive-definite matrix."""
from __future__ import annotations


from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.inv import inv
from chainer.functions.math.matmul import matmul
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Cholesky(function_node.FunctionNode):
    """Lower-triangular ``L`` with ``L @ L.T == a`` (only the lower half of ``a`` is read)."""

    @property
    def label(self):
        return 'cholesky'

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a',))
        a_type, = in_types
        type_check.expect(a_type.dtype.kind == 'f', a_type.ndim == 2)
        with type_check._failing_as(type_check._InvalidLinAlg):  # NumPy's error in Chainer
            type_check.expect(a_type.shape[0] == a_type.shape[1])

    def forward(self, inputs):
        self.retain_outputs((0,))
        a, = inputs
        xp = backend.get_array_module(a)
        return utils.force_array(xp.linalg.cholesky(as_compute(a)), a.dtype),

    def backward(self, indexes, grad_outputs):
        L, = self.get_retained_outputs()
        gy, = grad_outputs
        xp = backend.get_array_module(L.array)
        n = L.shape[0]
        dtype = L.dtype
        # Symmetric gradient (Murray, 2016): with Phi(X) = tril(X) - diag(X) / 2,
        # S = L^-T Phi(L^T gL) L^-1 and gA = (S + S^T) / 2.
        mask = xp.tri(n, dtype=dtype) - dtype.type(0.5) * xp.eye(n, dtype=dtype)
        L_inv = inv(L)
        phi = mask * matmul(L, gy, transa=True)
        s = matmul(matmul(L_inv, phi, transa=True), L_inv)
        return (s + s.T) * 0.5,


def cholesky(a: VariableOrArray) -> Variable:
    """Cholesky factor ``L`` (lower triangular) of the symmetric positive-definite ``a``."""
    return Cholesky().apply((a,))[0]
