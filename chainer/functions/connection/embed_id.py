"""Embedding lookup: the rows of ``W`` selected by integer ids."""
from __future__ import annotations


from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.array import check_index_range
from chainer.utils.array import scatter_rows

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class EmbedIDFunction(function_node.FunctionNode):
    """``W[x]``; ids equal to ``ignore_label`` give zero rows."""

    # A table looked up at every step of a loop: each step's gradient rows are
    # added straight into the walk's sum (no table of zeros and no whole-table add
    # per step; see _add_grad_into).
    _grad_into_inputs = (1,)

    def __init__(self, ignore_label=None) -> None:
        self.ignore_label = ignore_label

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 2)
        x_type, w_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'i',
            x_type.ndim >= 1,
            w_type.dtype.kind == 'f',
            w_type.ndim == 2,
        )

    def forward(self, inputs):
        # mixed NumPy/CuPy inputs: TypeError also with the type check off
        function_node._check_array_types(self, inputs)
        self.retain_inputs((0,))
        x, W = inputs
        self._w_shape = W.shape
        xp = backend.get_array_module(x, W)
        # Unlike Chainer (which indexed W[-1] silently), every id is checked.
        check_index_range(x, len(W), 'id x', ignore=self.ignore_label,  # Chainer's debug text
                          message='Each not ignored `x` value need to satisfy `0 <= x < len(W)`')
        if self.ignore_label is not None:
            mask = x == self.ignore_label
            if mask.any():
                y = W[xp.where(mask, 0, x)]
                y[mask] = 0
                return y,
        return W[x],

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0]
        gy, = grad_outputs
        # Only W is differentiable (x holds integer ids).
        gW, = EmbedIDGrad(self._w_shape, self.ignore_label).apply((x, gy))
        return tuple(gW if i == 1 else None for i in indexes)

    def _add_grad_into(self, index, grad_outputs, acc, fresh):
        # gW (EmbedIDGrad: the rows of gy summed per id into zeros) added to acc, on
        # NumPy: the rows of the ids present summed as scatter_rows sums them (in the
        # same order, from zero), then added to those rows of acc; every other row
        # of gW is +0, which leaves acc as it is (but for a -0.0 in acc, which the
        # whole add would have made +0.0).
        x = self.inputs[0].data
        gy = grad_outputs[0].array
        if not (index == 1 and type(gy) is numpy.ndarray and type(acc) is numpy.ndarray
                and type(x) is numpy.ndarray and acc.dtype == gy.dtype
                and acc.shape == self._w_shape and (fresh or acc.flags.writeable)):
            return None
        ids = x.ravel()
        rows = gy.reshape(ids.size, self._w_shape[1])
        if self.ignore_label is not None:
            keep = ids != self.ignore_label
            ids = ids[keep]
            rows = rows[keep]
        present, slot = numpy.unique(ids, return_inverse=True)
        sums = scatter_rows(len(present), slot.ravel(), rows)
        if fresh:
            acc = acc.copy()
        acc[present] += sums
        return acc


class EmbedIDGrad(function_node.FunctionNode):
    """Scatter-adds the output gradient rows into a zero ``gW``."""

    def __init__(self, w_shape, ignore_label=None) -> None:
        self.w_shape = w_shape
        self.ignore_label = ignore_label

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, gy = inputs
        rows = gy.reshape(x.size, self.w_shape[1])
        ids = x.ravel()
        if self.ignore_label is not None:
            keep = ids != self.ignore_label
            ids = ids[keep]
            rows = rows[keep]
        return scatter_rows(self.w_shape[0], ids, rows),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0]
        ggW, = grad_outputs
        ggy = embed_id(x, ggW, ignore_label=self.ignore_label)
        return tuple(ggy if i == 1 else None for i in indexes)


def embed_id(x: VariableOrArray, W: VariableOrArray, ignore_label: int | None = None) -> Variable:
    """Looks up the rows of ``W`` for the integer ids ``x``.

    Args:
        x: Integer ids of any shape.
        W: The embedding matrix of shape ``(n_vocab, n_units)``.
        ignore_label: An id whose output rows are zero (and which gets no
            gradient), or None.

    Raises:
        ValueError: If an id other than ``ignore_label`` lies outside
            ``[0, len(W))``, on every backend (Chainer wrapped such ids).

    Returns:
        ~chainer.Variable: Output of shape ``x.shape + (n_units,)``.
    """
    return EmbedIDFunction(ignore_label=ignore_label).apply((x, W))[0]
