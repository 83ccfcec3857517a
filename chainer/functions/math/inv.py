"""Matrix inverse of one matrix (``inv``) or of a batch of matrices (``batch_inv``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.matmul import matmul
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _inv(a):
    xp = backend.get_array_module(a)
    dtype = a.dtype
    a = as_compute(a)  # LAPACK has no half precision
    if xp is not numpy:
        ainv = xp.linalg.inv(a)
        # As Chainer: on the GPU a singular input is checked (a device sync) only
        # in debug mode; otherwise the inverse holds non-finite values.
        if chainer.is_debug() and not bool(xp.isfinite(ainv).all()):
            raise ValueError('Input has singular matrices.')
    else:
        try:
            ainv = numpy.linalg.inv(a)
        except numpy.linalg.LinAlgError:  # Chainer's error and message
            raise ValueError('Input has singular matrices.') from None
    return utils.force_array(ainv, dtype)


class _InvBase(function_node.FunctionNode):

    _ndim = 2

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a',))
        a_type, = in_types
        type_check.expect(a_type.dtype.kind == 'f', a_type.ndim == self._ndim)
        if self._ndim == 2:  # written as Chainer's Inv wrote it
            type_check.expect(a_type.shape[0] == a_type.shape[1])
        else:
            type_check.expect(a_type.shape[-1] == a_type.shape[-2])

    def forward(self, inputs):
        self.retain_outputs((0,))
        a, = inputs
        return _inv(a),

    def backward(self, indexes, grad_outputs):
        ainv, = self.get_retained_outputs()
        gy, = grad_outputs
        # d(A^-1) = -A^-1 dA A^-1, so gA = -A^-T gY A^-T.
        return -matmul(matmul(ainv, gy, transa=True), ainv, transb=True),


class Inv(_InvBase):
    """Inverse of a square matrix."""

    _ndim = 2


class BatchInv(_InvBase):
    """Inverses of a batch of square matrices (shape ``(N, n, n)``)."""

    _ndim = 3


def inv(a: VariableOrArray) -> Variable:
    """Inverse of the square matrix ``a`` (2-D)."""
    return Inv().apply((a,))[0]


def batch_inv(a: VariableOrArray) -> Variable:
    """Inverses of the square matrices stacked in ``a`` (3-D, ``(N, n, n)``)."""
    return BatchInv().apply((a,))[0]
