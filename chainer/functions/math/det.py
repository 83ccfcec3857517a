"""Determinant of one matrix (``det``) or of a batch of matrices (``batch_det``)."""
from __future__ import annotations


from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.inv import batch_inv
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class BatchDet(function_node.FunctionNode):
    """Determinants of a batch of square matrices (shape ``(N, n, n)``)."""

    @property
    def label(self):
        return 'det'

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))  # Chainer's name
        a_type, = in_types
        type_check.expect(
            a_type.dtype.kind == 'f',
            a_type.ndim == 3,
            a_type.shape[-1] == a_type.shape[-2],
        )

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        a, = inputs
        xp = backend.get_array_module(a)
        return utils.force_array(xp.linalg.det(as_compute(a)), a.dtype),

    def backward(self, indexes, grad_outputs):
        a, = self.get_retained_inputs()
        detx, = self.get_retained_outputs()
        gy, = grad_outputs
        # d det(A) / dA = det(A) A^-T (A must be invertible, as in Chainer).
        coef = broadcast_to(reshape(gy * detx, (len(gy), 1, 1)), a.shape)
        return coef * batch_inv(a.transpose((0, 2, 1))),


def batch_det(a: VariableOrArray) -> Variable:
    """Determinants of the square matrices stacked in ``a`` (3-D, ``(N, n, n)``)."""
    return BatchDet().apply((a,))[0]


def det(a: VariableOrArray) -> Variable:
    """Determinant of the square matrix ``a`` (2-D); the result is 0-d."""
    ndim = a.ndim
    if ndim != 2:
        # Chainer reshaped a to (1,) + a.shape[:2] and failed there or in BatchDet.
        raise type_check.InvalidType(
            'a.ndim == 2', f'{ndim} != 2',
            f'\nInvalid operation is performed in: det (Forward)\n\n'
            f'Expect: a.ndim == 2\nActual: {ndim} != 2')
    shape = a.shape
    return reshape(batch_det(reshape(a, (1,) + tuple(shape))), ())
