"""The node behind layer and group normalization: each sample's elements are split
into groups, each group is normalized with its own mean and variance, then an
affine map with learned ``gamma`` and ``beta`` follows.

Viewed as a matrix of ``rows`` groups by ``K`` elements, the statistics are per
row; ``gamma`` and ``beta`` broadcast against ``x`` in the shape ``param_shape``.
The forward and the first-order gradient run on arrays, each building one
array the size of ``x`` in place; the gradient's own derivative re-evaluates
the gradient formula with differentiable functions.
"""
from __future__ import annotations

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.utils import array as array_utils
from chainer.utils import type_check


class GroupedNormalization(function_node.FunctionNode):
    """``(x - mean) / sqrt(var + eps) * gamma + beta`` with per-group statistics.

    Subclasses give the layout: :meth:`_layout` returns ``(rows, K,
    param_shape, param_axes)`` for an input shape (``param_axes``: the axes of
    ``x`` that ``gamma`` is broadcast along).
    """

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = eps
        self.mean = None
        self.inv_std = None

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'gamma', 'beta'))
        type_check.expect(in_types.size() == 3)
        x_type, gamma_type, beta_type = in_types
        type_check.expect(x_type.dtype.kind == 'f', x_type.ndim >= 2,
                          beta_type.dtype == gamma_type.dtype)
        self._check_params(x_type, gamma_type, beta_type)

    def _check_params(self, x_type, gamma_type, beta_type) -> None:
        """Checks the shapes and dtypes of ``gamma`` and ``beta`` against ``x``."""
        raise NotImplementedError

    def _layout(self, shape: tuple) -> tuple:
        raise NotImplementedError

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gamma, beta = inputs
        xp = backend.get_array_module(x)
        rows, k, pshape, _ = self._layout(x.shape)
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        if x.size == 0:
            self.mean = xp.zeros(rows, cdt)
            self.inv_std = xp.zeros(rows, cdt)
            return xp.empty(x.shape, x.dtype),
        xs = x.reshape(rows, k)
        mean = xs.mean(axis=1, dtype=cdt)
        t = array_utils.centered(xs, mean[:, None], cdt)
        var = array_utils.sum_of_products(t, t, (1,))
        var /= cdt.type(k)
        var += cdt.type(self.eps)
        inv_std = var ** cdt.type(-0.5)
        self.mean, self.inv_std = mean, inv_std
        t *= inv_std[:, None]
        y = t.reshape(x.shape)
        y *= gamma.astype(cdt, copy=False).reshape(pshape)
        y += beta.astype(cdt, copy=False).reshape(pshape)
        return y.astype(x.dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        x, gamma = self.get_retained_inputs()
        grads = GroupedNormalizationGrad(self).apply((x, gamma, grad_outputs[0]))
        return tuple([grads[i] for i in indexes])


class GroupedNormalizationGrad(_composite.CompositeNode):
    """``(gx, ggamma, gbeta)`` of a :class:`GroupedNormalization` from
    ``(x, gamma, gy)``, with the statistics its forward pass computed."""

    def __init__(self, node: GroupedNormalization) -> None:
        self.node = node

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, gamma, gy = inputs
        xp = backend.get_array_module(x)
        node = self.node
        rows, k, pshape, axes = node._layout(x.shape)
        mean, inv_std = node.mean, node.inv_std
        cdt = mean.dtype
        if x.size == 0:
            zeros = xp.zeros(gamma.shape, gamma.dtype)
            return xp.zeros(x.shape, x.dtype), zeros, zeros.copy()
        gyc = gy.astype(cdt, copy=False)
        t = array_utils.centered(x.reshape(rows, k), mean[:, None], cdt)
        t *= inv_std[:, None]  # xhat
        xhat = t.reshape(x.shape)
        gbeta = gyc.sum(axis=axes)
        ggamma = array_utils.sum_of_products(gyc, xhat, axes)
        # g, the gradient w.r.t. xhat, becomes gx:
        # gx = inv_std (g - mean(g) - xhat mean(g xhat)), per row.
        g = gyc * gamma.astype(cdt, copy=False).reshape(pshape)
        gs = g.reshape(rows, k)
        g_mean = gs.mean(axis=1)
        gxhat_mean = array_utils.sum_of_products(gs, t, (1,))
        gxhat_mean /= cdt.type(k)
        t *= gxhat_mean[:, None]
        t += g_mean[:, None]
        gs -= t
        gs *= inv_std[:, None]
        return (g.astype(x.dtype, copy=False), ggamma.astype(gamma.dtype, copy=False),
                gbeta.astype(gamma.dtype, copy=False))

    def _compose(self, x, gamma, gy):
        """The same gradients with differentiable functions (for their derivative)."""
        F = chainer.functions
        node = self.node
        rows, k, pshape, axes = node._layout(x.shape)
        cdt = node.mean.dtype

        def cast(v, dtype):
            return v if v.dtype == dtype else F.cast(v, dtype)

        def row_mean(v):
            return F.broadcast_to(F.mean(v, axis=1, keepdims=True), (rows, k))

        xs = F.reshape(cast(x, cdt), (rows, k))
        xc = xs - row_mean(xs)
        inv_std = F.broadcast_to(
            (F.mean(xc * xc, axis=1, keepdims=True) + cdt.type(node.eps)) ** -0.5, (rows, k))
        xhat = xc * inv_std
        gyc = cast(gy, cdt)
        ggamma = F.sum(gyc * F.reshape(xhat, x.shape), axis=axes)
        gbeta = F.sum(gyc, axis=axes)
        g = F.reshape(
            gyc * F.broadcast_to(F.reshape(cast(gamma, cdt), pshape), x.shape), (rows, k))
        gx = (g - row_mean(g) - xhat * row_mean(g * xhat)) * inv_std
        return (cast(F.reshape(gx, x.shape), x.dtype), cast(ggamma, gamma.dtype),
                cast(gbeta, gamma.dtype))
