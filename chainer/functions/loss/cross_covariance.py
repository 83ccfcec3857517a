"""Cross-covariance loss."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.loss import _util
from chainer.functions.math.matmul import matmul
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _matmul(a, b, transa=False, transb=False):
    return matmul(a, b, transa=transa, transb=transb)


class CrossCovariance(function_node.FunctionNode):
    """Cross-covariance matrix of ``y`` and ``z`` over the batch, or half its squared sum."""

    def __init__(self, reduce='half_squared_sum'):
        _util.check_reduce(reduce, ('half_squared_sum', 'no'), only='Only')
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('y', 'z'))
        y_type, z_type = in_types
        type_check.expect(
            y_type.dtype.kind == 'f',
            y_type.dtype == z_type.dtype,
            y_type.ndim == 2,
            z_type.ndim == 2,
            y_type.shape[0] == z_type.shape[0],
        )

    def forward(self, inputs):
        y, z = inputs
        self.retain_inputs((0, 1))
        n = max(len(y), 1)
        yc = y - y.mean(axis=0, keepdims=True) if len(y) else y
        zc = z - z.mean(axis=0, keepdims=True) if len(z) else z
        cov = yc.T.dot(zc)
        cov /= y.dtype.type(n)
        if self.reduce == 'half_squared_sum':
            # a dot product, as Chainer's vdot: no second array of the covariance's size
            flat = cov.ravel()
            return utils.force_array(flat.dot(flat) * y.dtype.type(0.5), y.dtype),
        return utils.force_array(cov, y.dtype),

    def backward(self, indexes, grad_outputs):
        y, z = self.get_retained_inputs()
        gy, = grad_outputs
        n = max(y.shape[0], 1)
        yc = _util.center(y)
        zc = _util.center(z)
        g = gy * (1.0 / n)
        ret = []
        # The centering adds no term: the centered inputs have zero column means.
        # Chainer's forms: with cov = yc^T zc / n, (zc cov^T) (gy / n) and
        # (yc cov) (gy / n); unreduced, zc (gy / n)^T and yc (gy / n).
        if self.reduce == 'half_squared_sum':
            cov = _matmul(yc, zc, transa=True) * (1.0 / n)
            if 0 in indexes:
                t = _matmul(zc, cov, transb=True)
                ret.append(t * broadcast_to(g, t.shape))
            if 1 in indexes:
                t = _matmul(yc, cov)
                ret.append(t * broadcast_to(g, t.shape))
            return tuple(ret)
        if 0 in indexes:
            ret.append(_matmul(zc, g, transb=True))
        if 1 in indexes:
            ret.append(_matmul(yc, g))
        return tuple(ret)


def cross_covariance(y: VariableOrArray, z: VariableOrArray,
                     reduce: str = 'half_squared_sum') -> Variable:
    """Cross-covariance loss between the batch of ``y`` (N, M) and ``z`` (N, K).

    Args:
        reduce: ``'half_squared_sum'`` (half the sum of the squared covariances)
            or ``'no'`` (the M x K covariance matrix).
    """
    return CrossCovariance(reduce).apply((y, z))[0]
