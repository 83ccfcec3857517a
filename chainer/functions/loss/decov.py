"""DeCov loss."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.transpose import transpose
from chainer.functions.loss import _util
from chainer.functions.loss.cross_covariance import _matmul
from chainer.utils import type_check
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class DeCov(_CallableNode, function_node.FunctionNode):
    """Off-diagonal covariances of the hidden activations ``h`` over the batch."""

    def __init__(self, reduce='half_squared_sum'):
        _util.check_reduce(reduce, ('half_squared_sum', 'no'))
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, 'h', ndim=2)

    def forward(self, inputs):
        h, = inputs
        xp = backend.get_array_module(h)
        self.retain_inputs((0,))
        n = max(len(h), 1)
        hc = h - h.mean(axis=0, keepdims=True) if len(h) else h
        cov = hc.T.dot(hc)
        cov /= h.dtype.type(n)
        xp.fill_diagonal(cov, 0)
        if self.reduce == 'half_squared_sum':
            return utils.force_array(xp.vdot(cov, cov) * h.dtype.type(0.5), h.dtype),  # as Chainer
        return utils.force_array(cov, h.dtype),

    def backward(self, indexes, grad_outputs):
        h, = self.get_retained_inputs()
        return _DeCovGrad(self.reduce).apply((h, grad_outputs[0]))


class _DeCovGrad(_composite.CompositeNode):
    """Gradient of :class:`DeCov`: inputs ``(h, gy)``, computed as Chainer's backward
    did; its own gradient differentiates :func:`_grad`, the same formula composed
    of differentiable functions."""

    def __init__(self, reduce: str) -> None:
        self.reduce = reduce

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        h, gy = inputs
        xp = backend.get_array_module(h)
        hc = h - h.mean(axis=0, keepdims=True) if len(h) else h
        gn = gy / h.dtype.type(max(len(h), 1))
        if self.reduce == 'half_squared_sum':
            cov = _dot(hc.T, hc)
            xp.fill_diagonal(cov, 0)
            cov /= h.dtype.type(max(len(h), 1))
            gh = 2.0 * _dot(hc, cov)
            gh *= gn
        else:
            xp.fill_diagonal(gn, 0)
            gh = _dot(hc, gn + gn.T)
        return utils.force_array(gh, h.dtype),

    def _compose(self, h, gy):
        return _grad(h, gy, self.reduce)


def _dot(a, b):
    """``a.dot(b)``; float16 NumPy matrices through float32 (BLAS) and rounded back:
    NumPy's float16 product accumulates in float32 too, without BLAS (a hundred
    times slower)."""
    if a.dtype == numpy.float16 and isinstance(a, numpy.ndarray):
        return a.astype(numpy.float32).dot(b.astype(numpy.float32)).astype(numpy.float16)
    return a.dot(b)


def _grad(h, gy, reduce: str):
    """The gradient of :func:`decov` at ``h`` for ``gy``, composed of
    differentiable functions."""
    n = max(h.shape[0], 1)
    hc = _util.center(h)
    # The mask is built here rather than kept on the node: an M x M array for
    # as long as the graph lives.
    off_diag = _off_diagonal(backend.get_array_module(h), h.shape[1], h.dtype)
    # Chainer's forms: with cov = hc^T hc / n (off the diagonal), 2 hc cov (gy / n)
    # for the half squared sum, else hc (g + g^T) with g = gy / n off the diagonal
    n_ = backend.get_array_module(h).asarray(n, h.dtype)  # true division, as Chainer
    if reduce == 'half_squared_sum':
        cov = _matmul(hc, hc, transa=True) * off_diag / n_
        gh = 2.0 * _matmul(hc, cov)
        return gh * broadcast_to(gy / n_, gh.shape)
    gcov = gy / n_ * off_diag
    return _matmul(hc, gcov + transpose(gcov))


def _off_diagonal(xp, m: int, dtype):
    """An ``(m, m)`` array of ones with a zero diagonal."""
    mask = xp.ones((m, m), dtype)
    xp.fill_diagonal(mask, 0)
    return mask


def decov(h: VariableOrArray, reduce: str = 'half_squared_sum') -> Variable:
    """DeCov loss of hidden activations ``h`` (N, M) (penalizes off-diagonal covariances).

    Args:
        reduce: ``'half_squared_sum'`` or ``'no'`` (the M x M covariance matrix with a
            zero diagonal).
    """
    return DeCov(reduce).apply((h,))[0]
