"""Product of a COO sparse matrix and a dense matrix (either order)."""
from __future__ import annotations


from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.transpose import transpose
from chainer.utils import type_check
from chainer.utils.array import compute_dtype
from chainer.utils.array import scatter_add
from chainer.utils.sparse import CooMatrix

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _batch_index(xp, shape):
    return xp.broadcast_to(xp.arange(shape[0])[:, None], shape)


class CooMatMul(function_node.FunctionNode):
    """``A @ B`` with ``A`` given by (data, row, col, shape) and ``B`` dense (the
    node's name is Chainer's, as graph dumps and hooks show it).

    The operands may differ in float dtype, as in Chainer: the product is in
    ``dtype``, NumPy's promotion of theirs unless given (a gradient node gives its
    input's dtype).
    """

    def __init__(self, row, col, shape, dtype=None) -> None:
        self.row = row
        self.col = col
        self.sp_shape = shape
        self.dtype = dtype

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('sp', 'dn'))
        sp_type, dn_type = in_types
        type_check.expect(
            sp_type.dtype.kind == 'f',
            dn_type.dtype.kind == 'f',
            dn_type.ndim == sp_type.ndim + 1,
            dn_type.shape[-2] == self.sp_shape[1],
        )
        if type_check.eval(sp_type.ndim) == 2:
            type_check.expect(dn_type.shape[0] == sp_type.shape[0])

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        data, b = inputs
        xp = backend.get_array_module(data, b)
        dtype = self.dtype or numpy.result_type(data.dtype, b.dtype)
        wdtype = compute_dtype(dtype)
        row, col = self.row, self.col
        valid = (row >= 0) & (col >= 0)
        m = self.sp_shape[0]
        if data.ndim == 1:
            c = xp.zeros((m, b.shape[-1]), dtype=wdtype)
            contrib = data[valid].astype(wdtype)[:, None] * b[col[valid]]
            scatter_add(c, row[valid], contrib)
        else:
            bi = _batch_index(xp, data.shape)[valid]
            c = xp.zeros((data.shape[0], m, b.shape[-1]), dtype=wdtype)
            contrib = data[valid].astype(wdtype)[:, None] * b[bi, col[valid]]
            scatter_add(c, (bi, row[valid]), contrib)
        return utils.force_array(c, dtype),

    def backward(self, indexes, grad_outputs):
        data, b = self.get_retained_inputs()
        gc, = grad_outputs
        ret = []
        if 0 in indexes:
            ret.append(CooMatMulGradSP(self.row, self.col, data.dtype).apply((gc, b))[0])
        if 1 in indexes:
            t_shape = (self.sp_shape[1], self.sp_shape[0])
            ret.append(CooMatMul(self.col, self.row, t_shape, b.dtype).apply((data, gc))[0])
        return tuple(ret)


class CooMatMulGradSP(function_node.FunctionNode):
    """``(G @ B^T)`` sampled at the sparse positions (row, col): the data gradient,
    in ``dtype`` (the data's)."""

    def __init__(self, row, col, dtype) -> None:
        self.row = row
        self.col = col
        self.dtype = dtype

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('g', 'b'))
        g_type, b_type = in_types
        type_check.expect(
            g_type.dtype.kind == 'f',
            b_type.dtype.kind == 'f',
            g_type.ndim == b_type.ndim,
            g_type.shape[-1] == b_type.shape[-1],
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        g, b = inputs
        xp = backend.get_array_module(g, b)
        row, col = self.row, self.col
        valid = (row >= 0) & (col >= 0)
        out = xp.zeros(row.shape, dtype=self.dtype)
        if row.ndim == 1:
            out[valid] = (g[row[valid]] * b[col[valid]]).sum(axis=-1)
        else:
            bi = _batch_index(xp, row.shape)[valid]
            out[valid] = (g[bi, row[valid]] * b[bi, col[valid]]).sum(axis=-1)
        return out,

    def backward(self, indexes, grad_outputs):
        g, b = self.get_retained_inputs()
        gd, = grad_outputs
        m, n_k = g.shape[-2], b.shape[-2]
        ret = []
        if 0 in indexes:
            ret.append(CooMatMul(self.row, self.col, (m, n_k), g.dtype).apply((gd, b))[0])
        if 1 in indexes:
            ret.append(CooMatMul(self.col, self.row, (n_k, m), b.dtype).apply((gd, g))[0])
        return tuple(ret)


def _swap_last(x):
    axes = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return transpose(x, axes)


def _sparse_dense(sp: CooMatrix, transa: bool, dn, transb: bool):
    row, col, shape = sp.row, sp.col, sp.shape
    if transa:
        row, col, shape = col, row, (shape[1], shape[0])
    if dn.ndim < 2:
        raise type_check.InvalidType('dn.ndim >= 2', f'dn.ndim = {dn.ndim}')
    if transb:
        dn = _swap_last(dn)
    return CooMatMul(row, col, shape).apply((sp.data, dn))[0]


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
    if a_sp and not b_sp:
        return _sparse_dense(a, transa, b, transb)
    if b_sp and not a_sp:
        # op(a) @ op(b) == (op(b)^T @ op(a)^T)^T
        if a.ndim < 2:
            raise type_check.InvalidType('a.ndim >= 2', f'a.ndim = {a.ndim}')
        return _swap_last(_sparse_dense(b, not transb, a, not transa))
    raise ValueError('exactly one of a and b must be a chainer.utils.CooMatrix')
