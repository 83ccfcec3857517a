"""Matrix products: ``matmul`` (NumPy semantics, batched) and the deprecated ``batch_matmul``."""
from __future__ import annotations

from typing import TYPE_CHECKING
import warnings

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.functions.array.cast import cast
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _as_mat(x, trans: bool):
    return x.swapaxes(-1, -2) if trans and x.ndim > 1 else x


def _flag(value, name: str) -> bool:
    """A transpose flag as a bool; one that is neither a bool nor an integer (None, a
    string, a float) is the ``TypeError`` Chainer's ``transa ^ transb`` raised (ours
    took its truth value)."""
    if isinstance(value, (numpy.bool_, int, numpy.integer)):
        return bool(value)
    raise TypeError(f'{name} must be a bool, got {value!r}')


def _matmul(a, b, transa: bool = False, transb: bool = False, transout: bool = False):
    # ``transout`` gives the transpose of the product, as (b^T a^T); the
    # defaults and ``transout`` are Chainer's, for code that imports this helper.
    if transout:
        a, b, transa, transb = b, a, not transb, not transa
    a = _as_mat(a, transa)
    b = _as_mat(b, transb)
    # float16 products accumulate in float32 on both backends (NumPy's half
    # dot loop and cuBLAS both do), as in Chainer.
    return backend.get_array_module(a, b).matmul(a, b)


def _check_ndim(in_type, lower: int = 1, upper: int = 2) -> None:
    """Chainer's type check that an operand has ``lower`` to ``upper`` axes."""
    type_check.expect(in_type.ndim >= lower, in_type.ndim <= upper)


def _get_check_index(trans: bool, right: bool, row_idx: int = 0, col_idx: int = 1) -> int:
    """The axis of an operand that its product with the other operand contracts:
    the rows of a right operand or of a transposed left one, else the columns."""
    return row_idx if trans ^ right else col_idx


def _product_grads(indexes, a, b, a2, b2, gy2, transa: bool, transb: bool) -> tuple:
    """The gradients of ``a2 @ b2`` (each maybe transposed), whose output gradient is
    ``gy2``, for the operands in ``indexes``, brought back to the shapes and dtypes of
    ``a`` and ``b``, which ``a2`` and ``b2`` stand for as matrices."""
    ret = []
    for i in indexes:
        if i == 0:
            if transa:
                g = matmul(b2, gy2, transa=transb, transb=True)
            else:
                g = matmul(gy2, b2, transb=not transb)
            target, target2 = a, a2
        else:
            if transb:
                g = matmul(gy2, a2, transa=True, transb=transa)
            else:
                g = matmul(a2, gy2, transa=not transa)
            target, target2 = b, b2
        if g.shape != target2.shape:
            g = sum_to(g, target2.shape)
        if g.shape != target.shape:
            g = reshape(g, target.shape)
        if g.dtype != target.dtype:
            g = cast(g, target.dtype)
        ret.append(g)
    return tuple(ret)


class MatMul(function_node.FunctionNode):
    """``a @ b`` with optional transposition of the last two axes of each operand."""

    def __init__(self, transa: bool = False, transb: bool = False) -> None:
        self.transa = transa if transa is False or transa is True else _flag(transa, 'transa')
        self.transb = transb if transb is False or transb is True else _flag(transb, 'transb')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a', 'b'))
        a_type, b_type = in_types
        type_check.expect(
            a_type.dtype.kind == 'f',
            b_type.dtype.kind == 'f',
            a_type.ndim >= 1,
            b_type.ndim >= 1,
        )
        a_ndim = type_check.eval(a_type.ndim)
        b_ndim = type_check.eval(b_type.ndim)
        a_idx = -2 if self.transa and a_ndim > 1 else -1
        if b_ndim == 1:
            type_check.expect(a_type.shape[a_idx] == b_type.shape[0])
        else:
            b_idx = -1 if self.transb else -2
            # A vector a: Chainer wrote its length as a.shape[0].
            type_check.expect(a_type.shape[0 if a_ndim == 1 else a_idx] == b_type.shape[b_idx])
        if a_ndim > 2 or b_ndim > 2:
            type_check.expect_broadcast_shapes(a_type.shape[:-2], b_type.shape[:-2])

    def forward(self, x):
        self.retain_inputs((0, 1))
        a, b = x
        return utils.force_array(_matmul(a, b, self.transa, self.transb)),

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        transa = self.transa and a.ndim > 1
        transb = self.transb and b.ndim > 1
        # Work on matrices: a vector operand becomes a row (a) or column (b).
        a2 = a if a.ndim > 1 else reshape(a, (1,) + a.shape)
        b2 = b if b.ndim > 1 else reshape(b, b.shape + (1,))
        gshape = gy.shape
        if b.ndim == 1:
            gshape = gshape + (1,)
        if a.ndim == 1:
            gshape = gshape[:-1] + (1,) + gshape[-1:]
        gy2 = gy if gshape == gy.shape else reshape(gy, gshape)
        return _product_grads(indexes, a, b, a2, b2, gy2, transa, transb)


def matmul(a: VariableOrArray, b: VariableOrArray, transa: bool = False,
           transb: bool = False) -> Variable:
    """Matrix product of two arrays, with NumPy's ``matmul`` semantics.

    Args:
        a: The left operand. A 1-D array is a vector; arrays with more than
            two axes are stacks of matrices in the last two axes, broadcast
            against the other operand's stack.
        b: The right operand, read the same way.
        transa: Transpose each matrix of ``a`` (ignored when ``a`` is 1-D).
        transb: Transpose each matrix of ``b`` (ignored when ``b`` is 1-D).

    Returns:
        ~chainer.Variable: The product.
    """
    return MatMul(transa=transa, transb=transb).apply((a, b))[0]


def _columns(x):
    """A 2-D operand (array or Variable) of :func:`batch_matmul`, ``(B, N)``, as ``B``
    columns ``(B, N, 1)``."""
    if x.ndim != 2:
        return x
    return reshape(x, x.shape + (1,)) if isinstance(x, variable.Variable) else x[..., None]


class BatchMatMul(function_node.FunctionNode):
    """The node of the deprecated :func:`batch_matmul`: products of two stacks of
    matrices, a 2-D operand being a stack of columns; one node, as in Chainer."""

    def __init__(self, transa: bool = False, transb: bool = False) -> None:
        self.transa = transa if transa is False or transa is True else _flag(transa, 'transa')
        self.transb = transb if transb is False or transb is True else _flag(transb, 'transb')

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a', 'b'))
        a_type, b_type = in_types
        # Chainer's checks and order (it took float32 only); then the batch sizes.
        type_check.expect(a_type.dtype.kind == 'f', b_type.dtype.kind == 'f')
        type_check.expect(a_type.ndim >= 2, a_type.ndim <= 3)
        type_check.expect(b_type.ndim >= 2, b_type.ndim <= 3)

        def dims(t):  # rows and columns of each matrix of the stack
            return t.shape[1], (t.shape[2] if type_check.eval(t.ndim) == 3 else 1)
        a_rows, a_cols = dims(a_type)
        b_rows, b_cols = dims(b_type)
        inner_a = a_rows if self.transa else a_cols
        inner_b = b_cols if self.transb else b_rows
        type_check.expect(inner_a == inner_b)
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's, in Chainer
            type_check.expect(a_type.shape[0] == b_type.shape[0])

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        return utils.force_array(
            _matmul(_columns(a), _columns(b), self.transa, self.transb)),

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gy, = grad_outputs
        return _product_grads(indexes, a, b, _columns(a), _columns(b), gy,
                              self.transa, self.transb)


def batch_matmul(a: VariableOrArray, b: VariableOrArray, transa: bool = False,
                 transb: bool = False) -> Variable:
    """Batched matrix products of two stacks of matrices (deprecated; use :func:`matmul`).

    A 2-D array of shape ``(B, N)`` is read as B matrices of shape ``(N, 1)``;
    a 3-D array of shape ``(B, M, N)`` as B matrices of shape ``(M, N)``.
    The result is always 3-D.
    """
    warnings.warn('batch_matmul is deprecated. Use matmul instead.', DeprecationWarning)
    return BatchMatMul(transa, transb).apply((a, b))[0]
