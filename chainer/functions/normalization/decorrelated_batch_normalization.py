"""Decorrelated batch normalization: ZCA whitening of groups of channels."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.normalization import batch_normalization as _bn
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check


def _to_groups(x, groups: int):
    """``(N, C, ...)`` -> ``(groups, C // groups, N * prod(...))``."""
    n, c = x.shape[:2]
    perm = (1, 0) + tuple(range(2, x.ndim))
    return x.transpose(perm).reshape(groups, c // groups, -1 if x.size else 0)


def _from_groups(y, shape: tuple):
    """Inverse of :func:`_to_groups`."""
    n, c = shape[:2]
    perm = (1, 0) + tuple(range(2, len(shape)))
    return y.reshape((c, n) + tuple(shape[2:])).transpose(perm)


def _check(in_types, groups: int, names: tuple) -> None:
    type_check._argname(in_types, names)
    x_type = in_types[0]
    type_check.expect(x_type.dtype.kind == 'f', x_type.ndim >= 2)
    c = type_check.eval(x_type.shape[1])
    if c % groups:
        raise type_check.InvalidType(
            f'x.shape[1] divisible by groups={groups}', f'x.shape[1]={c}')


class DecorrelatedBatchNormalization(function_node.FunctionNode):
    """Whitens each group of channels with the ZCA matrix of its batch covariance."""

    def __init__(self, groups: int, eps: float, mean=None, projection=None,
                 decay: float = 0.9) -> None:
        self.groups = groups
        self.eps = eps
        self.running_mean = mean
        self.running_projection = projection
        self.decay = decay

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        _check(in_types, self.groups, ('x',))

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        cdt = array_utils.compute_dtype(x.dtype)
        xg = _to_groups(x, self.groups).astype(cdt)
        m = xg.shape[2]
        mean = xg.mean(axis=2, keepdims=True)
        xc = xg - mean
        c = xg.shape[1]
        cov = xp.matmul(xc, xc.transpose(0, 2, 1)) / cdt.type(max(m, 1)) \
            + cdt.type(self.eps) * xp.eye(c, dtype=cdt)
        eigvals, eigvecs = xp.linalg.eigh(cov)
        projection = xp.matmul(eigvecs * (eigvals ** cdt.type(-0.5))[:, None, :],
                               eigvecs.transpose(0, 2, 1))
        y = xp.matmul(projection, xc)
        self.eigvals, self.eigvecs, self.xc, self.projection = eigvals, eigvecs, xc, projection
        if self.running_mean is not None:
            _bn._update_running(self.running_mean, mean[:, :, 0], self.decay)
        if self.running_projection is not None:
            _bn._update_running(self.running_projection, projection, self.decay)
        return _from_groups(y, x.shape).astype(x.dtype),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        return DecorrelatedBatchNormalizationGrad(
            self.groups, self.eigvals, self.eigvecs, self.xc,
            self.projection).apply((gy,))


class DecorrelatedBatchNormalizationGrad(function_node.FunctionNode):
    """Gradient of :class:`DecorrelatedBatchNormalization` w.r.t. ``x``.

    The ZCA matrix ``P = f(S)`` of the covariance ``S`` has the derivative
    ``dP = U (K * (U^T dS U)) U^T`` with ``K_ij = (f(l_i) - f(l_j)) / (l_i - l_j)``
    (``f'(l_i)`` on ties), ``S = U diag(l) U^T``, ``f(l) = l ** -0.5``.
    """

    def __init__(self, groups, eigvals, eigvecs, xc, projection) -> None:
        self.groups = groups
        self.eigvals = eigvals
        self.eigvecs = eigvecs
        self.xc = xc
        self.projection = projection

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        lam, U, xc, P = self.eigvals, self.eigvecs, self.xc, self.projection
        cdt = lam.dtype
        gyg = _to_groups(gy, self.groups).astype(cdt)
        m = max(xc.shape[2], 1)
        f = lam ** cdt.type(-0.5)
        diff_l = lam[:, :, None] - lam[:, None, :]
        diff_f = f[:, :, None] - f[:, None, :]
        tie = xp.abs(diff_l) <= 1e-12 * xp.abs(lam).max(axis=1)[:, None, None]
        fprime = cdt.type(-0.5) * lam ** cdt.type(-1.5)
        K = xp.where(tie, xp.broadcast_to(fprime[:, :, None], diff_l.shape),
                     diff_f / xp.where(tie, 1, diff_l))
        gP = xp.matmul(gyg, xc.transpose(0, 2, 1))
        Ut = U.transpose(0, 2, 1)
        gS = xp.matmul(xp.matmul(U, K * xp.matmul(xp.matmul(Ut, gP), U)), Ut)
        gxc = xp.matmul(P.transpose(0, 2, 1), gyg) \
            + xp.matmul(gS + gS.transpose(0, 2, 1), xc) / cdt.type(m)
        gx = gxc - gxc.mean(axis=2, keepdims=True)
        return _from_groups(gx, gy.shape).astype(gy.dtype),

    def backward(self, indexes, grad_outputs):
        raise NotImplementedError(
            'decorrelated_batch_normalization cannot be differentiated twice: the '
            'second derivative of its eigendecomposition is not implemented')


class FixedDecorrelatedBatchNormalization(function_node.FunctionNode):
    """``projection @ (x - mean)`` per group of channels with given statistics."""

    def __init__(self, groups: int) -> None:
        self.groups = groups

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 3)
        _check(in_types, self.groups, ('x', 'mean', 'projection'))
        x_type, mean_type, p_type = in_types
        c = type_check.eval(x_type.shape[1]) // self.groups
        type_check.expect(mean_type.dtype == x_type.dtype, p_type.dtype == x_type.dtype)
        if tuple(type_check.eval(mean_type.shape)) != (self.groups, c) or \
                tuple(type_check.eval(p_type.shape)) != (self.groups, c, c):
            raise type_check.InvalidType(
                f'mean.shape == ({self.groups}, {c}), '
                f'projection.shape == ({self.groups}, {c}, {c})',
                f'mean.shape={type_check.eval(mean_type.shape)}, '
                f'projection.shape={type_check.eval(p_type.shape)}')

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, mean, projection = inputs
        xp = backend.get_array_module(x)
        xc = _to_groups(x, self.groups) - mean[:, :, None]
        return _from_groups(xp.matmul(projection, xc), x.shape).astype(x.dtype),

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        x, mean, projection = self.get_retained_inputs()
        gy, = grad_outputs
        g = self.groups
        n, c = x.shape[:2]
        rest = x.shape[2:]
        perm = (1, 0) + tuple(range(2, x.ndim))

        def to_groups(v):
            return F.reshape(F.transpose(v, perm), (g, c // g, -1 if v.size else 0))

        gyg = to_groups(gy)
        ret = {}
        if 0 in indexes or 1 in indexes:
            gxc = F.matmul(projection, gyg, transa=True)
            back = F.transpose(F.reshape(gxc, (c, n) + rest), perm)
            ret[0] = back
            ret[1] = -F.sum(gxc, axis=2)
        if 2 in indexes:
            xc = to_groups(x) - F.broadcast_to(F.expand_dims(mean, 2), (g, c // g, gyg.shape[2]))
            ret[2] = F.matmul(gyg, xc, transb=True)
        return tuple(ret[i] for i in indexes)


def decorrelated_batch_normalization(x, **kwargs) -> 'chainer.Variable':
    """Decorrelated batch normalization (Huang et al., 2018).

    Splits the channels into ``groups`` groups and whitens each group with the
    ZCA matrix ``(cov + eps I) ** -1/2`` of its batch covariance.

    Args:
        x: Input of shape ``(N, C, ...)``.
        groups (int): Number of channel groups (default 16); must divide ``C``.
        eps (float): Added to the covariance diagonal.
        running_mean: ``(groups, C // groups)`` array updated in place.
        running_projection: ``(groups, C // groups, C // groups)`` array updated
            in place.
        decay (float): Decay rate of the running averages.

    The result is differentiable once (not twice).
    """
    groups, eps, running_mean, running_projection, decay = argument.parse_kwargs(
        kwargs, ('groups', 16), ('eps', 2e-5), ('running_mean', None),
        ('running_projection', None), ('decay', 0.9))
    return DecorrelatedBatchNormalization(
        groups, eps, running_mean, running_projection, decay).apply((x,))[0]


def fixed_decorrelated_batch_normalization(x, mean, projection,
                                           groups: int = 16) -> 'chainer.Variable':
    """Decorrelated batch normalization with fixed statistics:
    ``projection @ (x - mean)`` per channel group.

    Args:
        x: Input of shape ``(N, C, ...)``.
        mean: ``(groups, C // groups)`` means.
        projection: ``(groups, C // groups, C // groups)`` whitening matrices.
        groups (int): Number of channel groups.
    """
    return FixedDecorrelatedBatchNormalization(groups).apply((x, mean, projection))[0]

