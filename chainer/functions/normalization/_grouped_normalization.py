"""The node behind layer and group normalization: each sample's elements are split
into groups, each group is normalized with its own mean and variance, then an
affine map with learned ``gamma`` and ``beta`` follows.

A subclass views its input as ``(n, g, c, s)``: ``n`` samples of ``g`` groups,
each group ``c`` parameter positions (channels) of ``s`` elements sharing one
parameter. The statistics are per ``(n, g)``; ``gamma`` and ``beta`` hold one
value per ``(g, c)``. On NumPy the forward and the first-order gradient each
build one array the size of ``x`` in place; on CuPy they are fused kernels
(three launches forward, five backward). The gradient's own derivative
re-evaluates the gradient formula with differentiable functions.
"""
from __future__ import annotations

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.backends import cuda
from chainer.functions import _composite
from chainer.functions.normalization import batch_normalization
from chainer.utils import array as array_utils
from chainer.utils import argument
from chainer.utils import type_check


def _views(shape: tuple, layout: tuple) -> tuple:
    """``(rows, k, view, param_view)``: the statistics matrix is ``rows`` by ``k``;
    ``x`` reshapes to ``view`` and ``gamma`` to ``param_view``, which broadcast."""
    n, g, c, s = layout
    return n * g, c * s, (n, g, c, s), (1, g, c, 1)


# -- fused GPU kernels ---------------------------------------------------------

def _gpu_inv_std(xs, mean, k: int, eps: float):
    """Per row of ``xs``, ``1 / sqrt(mean((x - mean)^2) + eps)``."""
    return cuda.reduce(
        'T x, U mean, U k, U eps', 'U inv_std',
        '((U)x - mean) * ((U)x - mean)', 'a + b', 'inv_std = (U)1 / sqrt(a / k + eps)',
        '0', 'rechainer_gn_inv_std')(xs, mean, mean.dtype.type(k), mean.dtype.type(eps), axis=1)


def _gpu_normalize(x4, mean4, inv_std4, gamma4, beta4):
    return cuda.elementwise(
        'T x, U mean, U inv_std, P gamma, P beta', 'T y',
        'y = (T)(((U)x - mean) * inv_std * (U)gamma + (U)beta)',
        'rechainer_gn_fwd')(x4, mean4, inv_std4, gamma4, beta4)


def _gpu_row_sums(gy4, gamma4, x4, mean4, inv_std4):
    """Per ``(n, g)``, the sums of ``g = gy * gamma`` and of ``g * xhat``, each
    times ``inv_std``."""
    axis = (2, 3)
    g_sum = cuda.reduce(
        'T gy, P gamma, U inv_std', 'U s', '(U)gy * (U)gamma * inv_std', 'a + b', 's = a',
        '0', 'rechainer_gn_gsum')(gy4, gamma4, inv_std4, axis=axis, keepdims=True)
    gxhat_sum = cuda.reduce(
        'T gy, P gamma, T x, U mean, U inv_std', 'U s',
        '(U)gy * (U)gamma * (((U)x - mean) * inv_std) * inv_std', 'a + b', 's = a', '0',
        'rechainer_gn_gxhat_sum')(gy4, gamma4, x4, mean4, inv_std4, axis=axis, keepdims=True)
    return g_sum, gxhat_sum


def _gpu_data_grad(gy4, gamma4, x4, mean4, inv_std4, g_sum, gxhat_sum, k: int):
    """``gx = inv_std (g - mean(g) - xhat mean(g xhat))`` from :func:`_gpu_row_sums`."""
    return cuda.elementwise(
        'T gy, P gamma, T x, U mean, U inv_std, U g_sum, U gxhat_sum, U k', 'T gx',
        '''U xhat = ((U)x - mean) * inv_std;
           gx = (T)(inv_std * ((U)gy * (U)gamma) - (g_sum + xhat * gxhat_sum) / k);''',
        'rechainer_gn_bwd')(gy4, gamma4, x4, mean4, inv_std4, g_sum, gxhat_sum,
                            mean4.dtype.type(k))


class GroupedNormalization(function_node.FunctionNode):
    """``(x - mean) / sqrt(var + eps) * gamma + beta`` with per-group statistics.

    Subclasses give the layout: :meth:`_layout` returns ``(n, g, c, s)`` for an
    input shape (see the module docstring).
    """

    def __init__(self, eps: float = 1e-5) -> None:
        self.eps = argument._real(eps, 'eps')
        self.mean = None
        self.inv_std = None
        self._var_eps = None  # var + eps per row (host)

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 3)
        self._check_params(*in_types)

    def _check_params(self, x_type, gamma_type, beta_type) -> None:
        """Checks the dtypes and shapes of ``x``, ``gamma`` and ``beta`` (in the order
        Chainer's function did, so that a failure names the same condition)."""
        raise NotImplementedError

    def _layout(self, shape: tuple) -> tuple:
        raise NotImplementedError

    def _host_data_grad(self, xs, gamma_row, gys):
        """``(gx, xhat)`` (rows by k, compute dtype) with the gradient of ``x`` in the
        subclass's own sequence of operations for small host inputs, or None for
        the common one (Chainer's group normalization's)."""
        return None

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gamma, beta = inputs
        xp = backend.get_array_module(x)
        rows, k, view, pview = _views(x.shape, self._layout(x.shape))
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        if x.size == 0:
            self.mean = xp.zeros(rows, cdt)
            self.inv_std = xp.zeros(rows, cdt)
            return xp.empty(x.shape, x.dtype),
        xs = x.reshape(rows, k)
        mean = xs.mean(axis=1, dtype=cdt)
        if xp is not numpy:
            inv_std = _gpu_inv_std(xs, mean[:, None], k, self.eps)
            self.mean, self.inv_std = mean, inv_std
            stats = view[:2] + (1, 1)
            y = _gpu_normalize(x.reshape(view), mean.reshape(stats), inv_std.reshape(stats),
                               gamma.reshape(pview), beta.reshape(pview))
            return y.reshape(x.shape),
        t = array_utils.centered(xs, mean[:, None], cdt)
        var = array_utils.sum_of_products(t, t, (1,))
        var /= cdt.type(k)
        var += cdt.type(self.eps)
        inv_std = numpy.reciprocal(numpy.sqrt(var))  # as Chainer (not var ** -0.5)
        self.mean, self.inv_std, self._var_eps = mean, inv_std, var
        t *= inv_std[:, None]
        y = t.reshape(view)
        # per-channel operands spread over a sample (see sample_operand)
        y *= array_utils.sample_operand(gamma.astype(cdt, copy=False).reshape(pview), y)
        y += array_utils.sample_operand(beta.astype(cdt, copy=False).reshape(pview), y)
        return y.reshape(x.shape).astype(x.dtype, copy=False),

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
        rows, k, view, pview = _views(x.shape, node._layout(x.shape))
        mean, inv_std = node.mean, node.inv_std
        cdt = mean.dtype
        if x.size == 0:
            zeros = xp.zeros(gamma.shape, gamma.dtype)
            return xp.zeros(x.shape, x.dtype), zeros, zeros.copy()
        if xp is not numpy:
            return self._forward_gpu(x, gamma, gy, view, pview, k)
        gyc = gy.astype(cdt, copy=False)
        own_gyc = array_utils.owns_compute_copy(gyc, gy)  # float16's float32 copy
        gyc = gyc.reshape(view)
        if x.size <= batch_normalization._EXACT_FORM_MAX and view[1] == view[3] == 1:
            r = node._host_data_grad(x.reshape(rows, k).astype(cdt, copy=False),
                                     gamma.astype(cdt, copy=False).reshape(1, k),
                                     gyc.reshape(rows, k))
            if r is not None:
                gx, xhat = r
                return (gx.reshape(x.shape).astype(x.dtype, copy=False),
                        array_utils.sum_of_products(gyc, xhat.reshape(view), (0, 3))
                        .reshape(gamma.shape).astype(gamma.dtype, copy=False),
                        gyc.sum(axis=(0, 3)).reshape(gamma.shape).astype(gamma.dtype,
                                                                         copy=False))
        t = array_utils.centered(x.reshape(rows, k), mean[:, None], cdt)
        t *= inv_std[:, None]  # xhat
        # einsum's sum where a group's channels share a parameter over many elements
        gbeta = array_utils.sum_over(gyc, (0, 3)) if view[3] > 1 else gyc.sum(axis=(0, 3))
        ggamma = array_utils.sum_of_products(gyc, t.reshape(view), (0, 3))
        # g, the gradient w.r.t. xhat, becomes gx:
        # gx = inv_std (g - mean(g) - xhat mean(g xhat)), per row.
        # g is built C-contiguous whatever the layout of gy (a transposed gradient),
        # so that gs is a view of it and the in-place steps below reach g: in
        # float16's float32 copy of gy where that is C-contiguous, the sums being done.
        g = gyc if own_gyc else numpy.empty(view, cdt)
        numpy.multiply(gyc, array_utils.sample_operand(
            gamma.astype(cdt, copy=False).reshape(pview), g), out=g)
        gyc = None
        gs = g.reshape(rows, k)
        g_mean = gs.mean(axis=1)
        gxhat_mean = array_utils.sum_of_products(gs, t, (1,))
        gxhat_mean /= cdt.type(k)
        # in Chainer's order: (g - mean(g)) - xhat mean(g xhat)
        gs -= g_mean[:, None]
        t *= gxhat_mean[:, None]
        gs -= t
        t = None  # (freed before the cast of g)
        gs *= inv_std[:, None]
        return (g.reshape(x.shape).astype(x.dtype, copy=False),
                ggamma.reshape(gamma.shape).astype(gamma.dtype, copy=False),
                gbeta.reshape(gamma.shape).astype(gamma.dtype, copy=False))

    def _forward_gpu(self, x, gamma, gy, view, pview, k: int):
        node = self.node
        stats = view[:2] + (1, 1)
        x4, gy4, gamma4 = x.reshape(view), gy.reshape(view), gamma.reshape(pview)
        mean4, inv_std4 = node.mean.reshape(stats), node.inv_std.reshape(stats)
        gbeta = gy4.sum(axis=(0, 3), dtype=node.mean.dtype)
        ggamma = batch_normalization._gpu_gamma_grad(gy4, x4, mean4, inv_std4, (0, 3))
        g_sum, gxhat_sum = _gpu_row_sums(gy4, gamma4, x4, mean4, inv_std4)
        gx = _gpu_data_grad(gy4, gamma4, x4, mean4, inv_std4, g_sum, gxhat_sum, k)
        return (gx.reshape(x.shape), ggamma.reshape(gamma.shape).astype(gamma.dtype, copy=False),
                gbeta.reshape(gamma.shape).astype(gamma.dtype, copy=False))

    def _compose(self, x, gamma, gy):
        """The same gradients with differentiable functions (for their derivative)."""
        F = chainer.functions
        node = self.node
        rows, k, view, pview = _views(x.shape, node._layout(x.shape))
        cdt = node.mean.dtype

        def cast(v, dtype):
            return v if v.dtype == dtype else F.cast(v, dtype)

        def row_mean(v):
            return F.broadcast_to(F.mean(v, axis=1, keepdims=True), (rows, k))

        xs = F.reshape(cast(x, cdt), (rows, k))
        xc = xs - row_mean(xs)
        inv_std = F.broadcast_to(
            (F.mean(xc * xc, axis=1, keepdims=True) + cdt.type(node.eps)) ** -0.5, (rows, k))
        xhat = F.reshape(xc * inv_std, view)
        gyc = F.reshape(cast(gy, cdt), view)
        ggamma = F.reshape(F.sum(gyc * xhat, axis=(0, 3)), gamma.shape)
        gbeta = F.reshape(F.sum(gyc, axis=(0, 3)), gamma.shape)
        g = gyc * F.broadcast_to(F.reshape(cast(gamma, cdt), pview), view)
        g, xhat = F.reshape(g, (rows, k)), F.reshape(xhat, (rows, k))
        gx = (g - row_mean(g) - xhat * row_mean(g * xhat)) * inv_std
        return (cast(F.reshape(gx, x.shape), x.dtype), cast(ggamma, gamma.dtype),
                cast(gbeta, gamma.dtype))
