"""Product of a COO sparse matrix and a dense matrix (either order)."""
from __future__ import annotations


from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check
from chainer.utils.array import compute_dtype
from chainer.utils.array import scatter_add
from chainer.utils.sparse import CooMatrix

if TYPE_CHECKING:
    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable


def _batch_index(xp, shape):
    return xp.broadcast_to(xp.arange(shape[0])[:, None], shape)


def _swap(x, flag):
    return x.swapaxes(-1, -2) if flag else x


def _check_pattern(sp_row, sp_col, sp_shape) -> None:
    if sp_row.ndim != sp_col.ndim or sp_row.shape != sp_col.shape:
        raise ValueError(
            f'sp_row and sp_col must have the same shape; got {sp_row.shape} and '
            f'{sp_col.shape}.')
    if sp_row.ndim not in (1, 2):
        raise ValueError(f'sp_row and sp_col must be 1- or 2-dimensional; got {sp_row.ndim}.')
    if len(sp_shape) != 2:
        raise ValueError(f'sp_shape must have two entries; got {tuple(sp_shape)}.')


class _CooNode(function_node.FunctionNode):
    """What the two nodes share: a sparsity pattern ``(sp_row, sp_col)`` of a
    ``sp_shape`` matrix (batched when the indices are 2-D, padded with -1), its
    ``sp_order`` hint, the three transposition flags and the output dtype."""

    def __init__(self, sp_row: NdArray, sp_col: NdArray, sp_shape: tuple[int, int],
                 sp_order: str = 'other', transa: bool = False, transb: bool = False,
                 transc: bool = False, dtype=None) -> None:
        _check_pattern(sp_row, sp_col, sp_shape)
        self.sp_row = sp_row
        self.sp_col = sp_col
        self.sp_shape = tuple(sp_shape)
        self.sp_order = sp_order
        self.transa = transa
        self.transb = transb
        self.transc = transc
        self.dtype = dtype

    def _coo_mm(self, transa, transb, transc, dtype, inputs):
        return CooMatMul(self.sp_row, self.sp_col, self.sp_shape, self.sp_order,
                         transa, transb, transc, dtype).apply(inputs)[0]


class CooMatMul(_CooNode):
    """``op_c(op_a(S) @ op_b(D))`` of a sparse ``S`` and a dense ``D``.

    The inputs are the sparse matrix's data (``((nb,) ldnz)``) and ``D``
    (``((nb,) k, n)``); ``op_a``, ``op_b`` and ``op_c`` swap the last two axes
    where ``transa``, ``transb`` and ``transc`` are set. The operands may differ
    in float dtype: the product is in ``dtype``, NumPy's promotion of theirs
    unless given.
    """

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('sp', 'dn'))
        sp_type, dn_type = in_types
        k_sp = -2 if self.transa else -1
        k_dn = -1 if self.transb else -2
        type_check.expect(
            sp_type.dtype.kind == 'f',
            dn_type.dtype.kind == 'f',
            dn_type.ndim >= 2,
            dn_type.ndim <= 3,
            sp_type.ndim == dn_type.ndim - 1,
            sp_type.shape[-1] == self.sp_row.shape[-1],
            dn_type.shape[k_dn] == self.sp_shape[k_sp],
        )
        if type_check.eval(dn_type.ndim) == 3:
            nb = self.sp_row.shape[0]
            type_check.expect(sp_type.shape[0] == nb, dn_type.shape[0] == nb)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        data, dn = inputs
        xp = backend.get_array_module(data, dn)
        dtype = self.dtype or numpy.result_type(data.dtype, dn.dtype)
        wdtype = compute_dtype(dtype)
        row, col = self.sp_row, self.sp_col
        m = self.sp_shape[0]
        if self.transa:
            row, col, m = col, row, self.sp_shape[1]
        b = _swap(dn, self.transb)
        valid = (row >= 0) & (col >= 0)
        if data.ndim == 1:
            c = xp.zeros((m, b.shape[-1]), dtype=wdtype)
            contrib = data[valid].astype(wdtype)[:, None] * b[col[valid]]
            scatter_add(c, row[valid], contrib)
        else:
            bi = _batch_index(xp, data.shape)[valid]
            c = xp.zeros((data.shape[0], m, b.shape[-1]), dtype=wdtype)
            contrib = data[valid].astype(wdtype)[:, None] * b[bi, col[valid]]
            scatter_add(c, (bi, row[valid]), contrib)
        return utils.force_array(_swap(c, self.transc), dtype),

    def backward(self, indexes, grad_outputs):
        data, dn = self.get_retained_inputs()
        gc, = grad_outputs
        ret = []
        if 0 in indexes:
            # d op_a(S) = op_c(gC) @ op_b(D)^T, read at S's pattern.
            ret.append(CooMatMulGradSP(
                self.sp_row, self.sp_col, self.sp_shape, self.sp_order,
                self.transc, not self.transb, self.transa, data.dtype).apply((gc, dn))[0])
        if 1 in indexes:
            # d op_b(D) = op_a(S)^T @ op_c(gC).
            ret.append(self._coo_mm(not self.transa, self.transc, self.transb, dn.dtype,
                                    (data, gc)))
        return tuple(ret)


class CooMatMulGradSP(_CooNode):
    """``op_a(A) @ op_b(B)`` read at the sparsity pattern: the data of a sparse
    matrix of ``sp_shape`` (the pattern addresses the product's transpose where
    ``transc`` is set). It is the gradient of the sparse operand's data; the
    result is in ``dtype``, NumPy's promotion of the inputs' unless given.
    """

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('a', 'b'))
        a_type, b_type = in_types
        a_m, a_k = (-1, -2) if self.transa else (-2, -1)
        b_k, b_n = (-1, -2) if self.transb else (-2, -1)
        s_m, s_n = (-1, -2) if self.transc else (-2, -1)
        type_check.expect(
            a_type.dtype.kind == 'f',
            b_type.dtype.kind == 'f',
            a_type.ndim >= 2,
            a_type.ndim <= 3,
            a_type.ndim == b_type.ndim,
            a_type.shape[a_m] == self.sp_shape[s_m],
            b_type.shape[b_n] == self.sp_shape[s_n],
            a_type.shape[a_k] == b_type.shape[b_k],
        )
        if type_check.eval(a_type.ndim) == 3:
            nb = self.sp_row.shape[0]
            type_check.expect(a_type.shape[0] == nb, b_type.shape[0] == nb)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        xp = backend.get_array_module(a, b)
        dtype = self.dtype or numpy.result_type(a.dtype, b.dtype)
        wdtype = compute_dtype(numpy.result_type(a.dtype, b.dtype))
        # Rows of op_a(A) and columns of op_b(B) (as rows of its transpose).
        a_rows = _swap(a, self.transa)
        b_cols = _swap(b, not self.transb)
        row, col = self.sp_row, self.sp_col
        if self.transc:
            row, col = col, row
        valid = (row >= 0) & (col >= 0)
        out = xp.zeros(row.shape, dtype=dtype)
        if row.ndim == 1:
            prod = a_rows[row[valid]].astype(wdtype) * b_cols[col[valid]]
        else:
            bi = _batch_index(xp, row.shape)[valid]
            prod = a_rows[bi, row[valid]].astype(wdtype) * b_cols[bi, col[valid]]
        out[valid] = prod.sum(axis=-1)
        return out,

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gd, = grad_outputs
        ret = []
        if 0 in indexes:
            # d op_a(A) = op_c(G) @ op_b(B)^T with G the sparse gradient.
            ret.append(self._coo_mm(self.transc, not self.transb, self.transa, a.dtype,
                                    (gd, b)))
        if 1 in indexes:
            # d op_b(B) = op_a(A)^T @ op_c(G) = (op_c(G)^T @ op_a(A))^T.
            ret.append(self._coo_mm(not self.transc, self.transa, not self.transb, b.dtype,
                                    (gd, a)))
        return tuple(ret)


def _is_dense(x) -> bool:
    return isinstance(x, (chainer.Variable,) + backend.get_array_types())


def sparse_matmul(a: CooMatrix | VariableOrArray, b: CooMatrix | VariableOrArray,
                  transa: bool = False, transb: bool = False) -> Variable:
    """Matrix product where exactly one of ``a`` and ``b`` is a :class:`~chainer.utils.CooMatrix`.

    Computes ``op(a) @ op(b)`` (``op`` transposes the last two axes when the
    ``trans`` flag is set). A batched sparse matrix (2-D data) pairs with a
    3-D dense operand. The result is a dense Variable; gradients flow to the
    dense operand and to the sparse matrix's ``data``.
    """
    a_sp = isinstance(a, CooMatrix)
    b_sp = isinstance(b, CooMatrix)
    if a_sp and not b_sp and _is_dense(b):
        return CooMatMul(a.row, a.col, a.shape, a.order, transa=transa, transb=transb,
                         transc=False).apply((a.data, b))[0]
    if b_sp and not a_sp and _is_dense(a):
        # op(a) @ op(b) == (op(b)^T @ op(a)^T)^T
        return CooMatMul(b.row, b.col, b.shape, b.order, transa=not transb,
                         transb=not transa, transc=True).apply((b.data, a))[0]
    raise ValueError('sparse_matmul takes one chainer.utils.CooMatrix and one Variable or '
                     f'array; got {type(a).__name__} and {type(b).__name__}')
