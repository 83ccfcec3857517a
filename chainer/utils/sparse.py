"""COO sparse matrices for :func:`chainer.functions.sparse_matmul`."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

# Only the package is imported here: chainer.utils may re-export this module
# while chainer itself is still being initialised.
import chainer
from chainer.utils.array import scatter_add

if TYPE_CHECKING:
    from chainer.types import NdArray


class CooMatrix:
    """A sparse matrix (or a batch of them) in coordinate (COO) format.

    Args:
        data: Values of the non-zero elements, shape ``(nnz,)`` or
            ``(batch, nnz)``. Padding entries have ``row == col == -1``.
        row: Row indices (int array of the shape of ``data``).
        col: Column indices (int array of the shape of ``data``).
        shape: ``(rows, columns)`` of the (each) matrix.
        order: ``'C'`` (sorted by row, then column), ``'F'`` (by column, then
            row), ``'other'``, or None to find it from ``row`` and ``col``
            (:func:`get_order`).
        requires_grad: Whether ``data`` (kept as a Variable) needs a gradient.
    """

    def __init__(self, data: NdArray, row: NdArray, col: NdArray, shape: tuple[int, int],
                 order: str | None = None, requires_grad: bool = False) -> None:
        if not 1 <= data.ndim <= 2:
            raise ValueError('ndim of data must be 1 or 2.')
        if not data.ndim == row.ndim == col.ndim:
            raise ValueError('ndim of data, row and col must be the same.')
        if not data.shape == row.shape == col.shape:
            raise ValueError('shape of data, row and col must be the same.')
        if len(shape) != 2:
            raise ValueError('length of shape must be 2.')
        if not (shape[0] > 0 and shape[1] > 0):
            raise ValueError('numbers in shape must be greater than 0.')
        if order not in ('C', 'F', 'other', None):
            raise ValueError("order must be 'C', 'F', 'other' or None.")
        if isinstance(data, chainer.Variable):
            self.data = data
        else:
            self.data = chainer.Variable(data, requires_grad=requires_grad)
        self.row = row
        self.col = col
        self.shape = tuple(int(s) for s in shape)
        self.order = get_order(row, col) if order is None else order

    def __repr__(self) -> str:
        return (f'CooMatrix(shape={self.shape}, nnz={self.data.shape[-1]}, '
                f'dtype={self.data.dtype}, order={self.order!r})')

    def to_dense(self) -> NdArray:
        """Returns the dense array (``shape`` or ``(batch,) + shape``)."""
        data = self.data.array
        xp = chainer.backend.get_array_module(data)
        valid = (self.row >= 0) & (self.col >= 0)
        if data.ndim == 1:
            x = xp.zeros(self.shape, dtype=data.dtype)
            scatter_add(x, (self.row[valid], self.col[valid]), data[valid])
        else:
            nb = data.shape[0]
            x = xp.zeros((nb,) + self.shape, dtype=data.dtype)
            b = xp.broadcast_to(xp.arange(nb)[:, None], data.shape)
            scatter_add(x, (b[valid], self.row[valid], self.col[valid]), data[valid])
        return x


def to_coo(x: NdArray, ldnz: int | None = None, requires_grad: bool = False) -> CooMatrix:
    """Converts a dense 2-D array (or a batch of them, 3-D) to a :class:`CooMatrix`.

    Args:
        x: The dense array.
        ldnz: Length of the non-zero axis; padded with ``row == col == -1``
            entries when larger than the number of non-zeros (for a batch,
            the largest count is used when it is bigger).
        requires_grad: Whether the data Variable needs a gradient.
    """
    if isinstance(x, chainer.Variable):
        x = x.array
    xp = chainer.backend.get_array_module(x)
    if x.ndim == 2:
        rows, cols = xp.nonzero(x)
        nnz = len(rows)
        if ldnz is None or ldnz < nnz:
            ldnz = nnz
        data = xp.zeros(ldnz, dtype=x.dtype)
        row = xp.full(ldnz, -1, dtype=numpy.int32)
        col = xp.full(ldnz, -1, dtype=numpy.int32)
        data[:nnz] = x[rows, cols]
        row[:nnz] = rows
        col[:nnz] = cols
        return CooMatrix(data, row, col, x.shape, order='C', requires_grad=requires_grad)
    if x.ndim == 3:
        nb = x.shape[0]
        counts = [int((x[i] != 0).sum()) for i in range(nb)]
        n = max(counts) if counts else 0
        if ldnz is None or ldnz < n:
            ldnz = n
        data = xp.zeros((nb, ldnz), dtype=x.dtype)
        row = xp.full((nb, ldnz), -1, dtype=numpy.int32)
        col = xp.full((nb, ldnz), -1, dtype=numpy.int32)
        for i in range(nb):
            rows, cols = xp.nonzero(x[i])
            k = len(rows)
            data[i, :k] = x[i][rows, cols]
            row[i, :k] = rows
            col[i, :k] = cols
        return CooMatrix(data, row, col, x.shape[1:], order='C', requires_grad=requires_grad)
    raise ValueError('ndim of x must be 2 or 3.')


def _is_c_order(row, col) -> bool:
    if row.ndim != 1:
        return all(_is_c_order(row[i], col[i]) for i in range(row.shape[0]))
    xp = chainer.backend.get_array_module(row)
    valid = (row >= 0) & (col >= 0)
    if bool(xp.any((row >= 0) != (col >= 0))):
        raise ValueError('invalid index combination of row and col.')
    r = row[valid]
    c = col[valid]
    if r.shape[0] <= 1:
        return True
    dr = r[1:] - r[:-1]
    if bool(xp.any(dr < 0)):
        return False
    dc = c[1:] - c[:-1]
    # Within one row the columns must not decrease.
    return not bool(xp.any((dr == 0) & (dc < 0)))


def get_order(row: NdArray, col: NdArray) -> str:
    """Order of COO indices: ``'C'`` (row-major), ``'F'`` (column-major) or ``'other'``."""
    if row.shape != col.shape:
        raise ValueError('shape of row and col must be the same.')
    if _is_c_order(row, col):
        return 'C'
    if _is_c_order(col, row):
        return 'F'
    return 'other'
