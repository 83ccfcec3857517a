"""Decorrelated batch normalization: ZCA whitening of groups of channels."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.functions.normalization import batch_normalization as _bn
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import VariableOrArray


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


def _symmetric(a):
    return (a + a.swapaxes(-1, -2)) * a.dtype.type(0.5)


class SymmetricSqrt(function_node.FunctionNode):
    """``S = A ** (1/2)`` of a stack of symmetric positive definite matrices.

    ``S S = A`` gives ``S dS + dS S = dA``, so the gradient is the solution of a
    Lyapunov equation (:class:`LyapunovSolve`), itself differentiable.
    """

    def forward(self, inputs):
        a, = inputs
        xp = backend.get_array_module(a)
        w, u = xp.linalg.eigh(_symmetric(a))
        s = xp.sqrt(xp.maximum(w, 0))
        self.retain_outputs((0,))
        #: Eigenvalues and eigenvectors of the output, for the Lyapunov solves on it.
        self.eig = (s, u)
        return xp.matmul(u * s[..., None, :], u.swapaxes(-1, -2)).astype(a.dtype),

    def backward(self, indexes, grad_outputs):
        s, = self.get_retained_outputs()
        gs, = grad_outputs
        return LyapunovSolve(self.eig, of=s.array).apply((s, gs))


class LyapunovSolve(function_node.FunctionNode):
    """``Y`` with ``S Y + Y S = C`` for stacks of symmetric positive definite ``S``.

    With ``S = U diag(s) U^T``: ``Y = U ((U^T C U) / (s_i + s_j)) U^T``. The map
    ``Y -> S Y + Y S`` is self-adjoint, so ``gC = solve(S, gY)`` and
    ``gS = -(gC Y^T + Y^T gC)``: the gradient is built from this function and
    matrix products, and is differentiable again.
    """

    def __init__(self, eig=None, of=None) -> None:
        #: ``(w, u)``, the eigendecomposition of ``S`` when already known.
        self.eig = eig
        # The array ``S`` that ``eig`` decomposes: another one (a static_graph
        # replay's) is decomposed again.
        self._eig_of = of

    def forward(self, inputs):
        s, c = inputs
        xp = backend.get_array_module(s)
        if self.eig is None or (self._eig_of is not None and self._eig_of is not s):
            self.eig = xp.linalg.eigh(_symmetric(s))
        w, u = self.eig
        ut = u.swapaxes(-1, -2)
        inner = xp.matmul(xp.matmul(ut, c), u) / (w[..., :, None] + w[..., None, :])
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        return xp.matmul(xp.matmul(u, inner), ut).astype(c.dtype),

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        s, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        gc, = LyapunovSolve(self.eig, of=s.array).apply((s, gy))
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(-(F.matmul(gc, y, transb=True) + F.matmul(y, gc, transa=True)))
            else:
                ret.append(gc)
        return tuple(ret)


class FixedDecorrelatedBatchNormalization(function_node.FunctionNode):
    """``projection @ (x - mean)`` per group of channels with given statistics."""

    def __init__(self, groups: int) -> None:
        self.groups = groups

    def check_type_forward(self, in_types):
        # Chainer's checks (its inputs unnamed), then the shapes it did not check.
        type_check.expect(in_types.size() == 3)
        x_type, mean_type, p_type = in_types
        type_check.expect(x_type.dtype.kind == 'f', mean_type.dtype == x_type.dtype,
                          p_type.dtype == x_type.dtype)
        type_check.expect(x_type.ndim >= 2)
        c = type_check.eval(x_type.shape[1])
        # also the ValueError of the reshape in which Chainer failed
        if c % self.groups:
            raise type_check._InvalidValue(
                f'in_types[0].shape[1] divisible by groups={self.groups}',
                f'in_types[0].shape[1]={c}')
        c //= self.groups
        if tuple(type_check.eval(mean_type.shape)) != (self.groups, c) or \
                tuple(type_check.eval(p_type.shape)) != (self.groups, c, c):
            # Chainer's reduction over the mean's missing axis 2: NumPy's AxisError
            raise type_check._InvalidAxis(
                f'in_types[1].shape == ({self.groups}, {c}), '
                f'in_types[2].shape == ({self.groups}, {c}, {c})',
                f'in_types[1].shape={type_check.eval(mean_type.shape)}, '
                f'in_types[2].shape={type_check.eval(p_type.shape)}')

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


def decorrelated_batch_normalization(x: VariableOrArray, **kwargs: Any) -> 'chainer.Variable':
    """Decorrelated batch normalization (Huang et al., 2018).

    Splits the channels into ``groups`` groups and whitens each group with the
    ZCA matrix ``(cov + eps I) ** -1/2`` of its batch covariance.

    Args:
        x: Input of shape ``(N, C, ...)``.
        groups (int): Number of channel groups (default 16); must divide ``C``.
        eps (float): Added to the covariance diagonal.
        running_mean: ``(groups, C // groups)`` array updated in place.
        running_projection: ``(groups, C // groups, C // groups)`` array updated
            in place with the batch projection times ``m / (m - 1)`` (``m`` values
            per channel), as Chainer does.
        decay (float): Decay rate of the running averages.

    The result is differentiable to any order: the first gradient is one node
    computed from the eigendecomposition of the covariance, and its own gradient
    differentiates the composition of :func:`_compose` (whose matrix square root
    and its inverse have gradients that solve Lyapunov equations).
    """
    groups, eps, running_mean, running_projection, decay = argument.parse_kwargs(
        kwargs, ('groups', 16), ('eps', 2e-5), ('running_mean', None),
        ('running_projection', None), ('decay', 0.9))
    return DecorrelatedBatchNormalization(
        groups, eps, running_mean, running_projection, decay).apply((x,))[0]


def _whiten(xg, eps: float):
    """ZCA whitening of ``xg`` (groups, k, m) in its dtype, as arrays.

    Returns ``(y, mean, xc, projection, s, u)``: the result, the means (groups, k, 1),
    the centred input, ``(cov + eps I) ** -1/2`` and the eigenvalues ``s`` and
    eigenvectors ``u`` of ``(cov + eps I) ** 1/2``. The arithmetic is that of
    :func:`_compose`, call for call.
    """
    xp = backend.get_array_module(xg)
    dt = xg.dtype
    g, k, m = xg.shape
    mean = xg.mean(axis=2, keepdims=True)
    xc = xg - mean
    eye = xp.broadcast_to(xp.eye(k, dtype=dt), (g, k, k))
    cov = xp.matmul(xc, xc.swapaxes(-1, -2))
    cov *= dt.type(1.0 / m)
    cov += eye * dt.type(eps)
    w, u = xp.linalg.eigh(_symmetric(cov))
    s = xp.sqrt(xp.maximum(w, 0))
    ut = u.swapaxes(-1, -2)
    inner = xp.matmul(xp.matmul(ut, eye * dt.type(2)), u) / (s[..., :, None] + s[..., None, :])
    projection = xp.matmul(xp.matmul(u, inner), ut).astype(dt, copy=False)
    return xp.matmul(projection, xc), mean, xc, projection, s, u


def _compose(x, groups: int, eps: float):
    """:func:`decorrelated_batch_normalization` composed of differentiable
    functions (without the running statistics): the graph that the gradient of
    :class:`_DecorrelationGrad` differentiates."""
    F = chainer.functions
    xa = x.array
    xp = backend.get_array_module(xa)
    cdt = array_utils.compute_dtype(xa.dtype)
    n, c = xa.shape[:2]
    rest = xa.shape[2:]
    m = xa.size // max(c, 1)
    perm = (1, 0) + tuple(range(2, xa.ndim))
    xg = F.reshape(F.transpose(x if xa.dtype == cdt else F.cast(x, cdt), perm),
                   (groups, c // groups, m))
    mean = F.mean(xg, axis=2, keepdims=True)
    xc = xg - F.broadcast_to(mean, xg.shape)
    eye = xp.broadcast_to(xp.eye(c // groups, dtype=cdt), (groups, c // groups, c // groups))
    cov = F.matmul(xc, xc, transb=True) * cdt.type(1.0 / m) + eye * cdt.type(eps)
    sqrt_node = SymmetricSqrt()
    sqrt_cov, = sqrt_node.apply((cov,))
    projection, = LyapunovSolve(sqrt_node.eig, of=sqrt_cov.array).apply(
        (sqrt_cov, eye * cdt.type(2)))
    y = F.transpose(F.reshape(F.matmul(projection, xc), (c, n) + rest), perm)
    return y if y.dtype == xa.dtype else F.cast(y, xa.dtype)


def _update_statistics(running_mean, running_projection, mean, projection, m: int,
                       decay: float) -> None:
    _bn._update_running(running_mean, mean[:, :, 0], decay)
    if running_projection is not None:
        # Chainer scales the batch projection by m / (m - 1), as batch normalization
        # does the variance, before averaging it in.
        adjust = projection.dtype.type(m / max(m - 1.0, 1.0))
        _bn._update_running(running_projection, projection * adjust, decay)


def fixed_decorrelated_batch_normalization(x: VariableOrArray, mean: VariableOrArray,
                                           projection: VariableOrArray,
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


class DecorrelatedBatchNormalization(function_node.FunctionNode):
    """The node of :func:`decorrelated_batch_normalization`: input ``(x,)``.

    ``mean`` and ``projection`` (optional) are the running statistics, updated in
    place by the forward pass.
    """

    def __init__(self, groups: int = 16, eps: float = 2e-5, mean=None, projection=None,
                 decay: float = 0.9) -> None:
        self.groups = groups
        self.eps = argument._real(eps, 'eps')
        self.running_mean = mean
        self.running_projection = projection
        self.decay = decay

    def check_type_forward(self, in_types):
        # Chainer's checks, in its order (the channel count only where there is one)
        type_check.expect(in_types.size() == 1)
        x_type = in_types[0]
        type_check.expect(x_type.dtype.kind == 'f')
        if type_check.eval(x_type.ndim) >= 2:
            type_check.expect(x_type.shape[1] % self.groups == 0)
        type_check.expect(x_type.ndim >= 2)

    def forward(self, inputs):
        x, = inputs
        array_utils.check_on_device_of(self.running_mean, x, 'running_mean')
        array_utils.check_on_device_of(self.running_projection, x, 'running_projection')
        n, c = x.shape[:2]
        m = x.size // max(c, 1)
        if m == 0:
            raise ValueError('decorrelated_batch_normalization needs a non-empty batch')
        self.retain_inputs((0,))
        xg = _to_groups(x, self.groups).astype(array_utils.compute_dtype(x.dtype), copy=False)
        y, mean, xc, projection, s, u = _whiten(xg, self.eps)
        #: What the gradient reads: the centred input, the projection and the
        #: eigendecomposition of its inverse.
        self._saved = (xc, projection, s, u)
        _update_statistics(self.running_mean, self.running_projection, mean, projection, m,
                           self.decay)
        return _from_groups(y, x.shape).astype(x.dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return _DecorrelationGrad(
            self.groups, self.eps, self._saved).apply((x, grad_outputs[0]))


class _DecorrelationGrad(_composite.CompositeNode):
    """Gradient of :class:`DecorrelatedBatchNormalization`: inputs ``(x, gy)``.

    With ``y = P xc``, ``P = S ** -1`` and ``S = U diag(s) U^T`` the square root of
    ``cov + eps I``: ``gP = gy xc^T``; the derivative of ``cov -> cov ** -1/2`` in
    the eigenbasis is the Hadamard product with ``-1 / (s_i s_j (s_i + s_j))``;
    ``cov = xc xc^T / m`` gives ``(gcov + gcov^T) xc / m``, and the centring
    subtracts the mean of the gradient. Its own gradient differentiates the
    gradient of the composition (:func:`_compose`), so every order is right.
    """

    def __init__(self, groups: int, eps: float, saved: tuple) -> None:
        self.groups = groups
        self.eps = eps
        #: ``(xc, projection, s, u)`` of the forward pass.
        self.saved = saved

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        xp = backend.get_array_module(gy)
        xc, projection, s, u = self.saved
        m = xc.shape[2]
        gyg = _to_groups(gy, self.groups).astype(xc.dtype, copy=False)
        ut = u.swapaxes(-1, -2)
        gp = xp.matmul(gyg, xc.swapaxes(-1, -2))
        gp += gp.swapaxes(-1, -2)
        # (gcov + gcov^T) in the eigenbasis of cov
        inner = xp.matmul(xp.matmul(ut, gp), u)
        inner /= s[..., :, None] * s[..., None, :] * (s[..., :, None] + s[..., None, :])
        inner *= xc.dtype.type(-1.0 / m)
        gcov = xp.matmul(xp.matmul(u, inner), ut)
        gx = xp.matmul(projection, gyg)
        gx += xp.matmul(gcov, xc)
        gx -= gx.mean(axis=2, keepdims=True)
        return _from_groups(gx, x.shape).astype(x.dtype, copy=False),

    def _compose(self, x, gy):
        # (the module's _compose: the function itself, composed)
        return chainer.grad([_compose(x, self.groups, self.eps)], [x], [gy],
                            enable_double_backprop=True)[0]
