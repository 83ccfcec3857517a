"""Layer normalization: normalize each sample over its features."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer.functions.normalization import _grouped_normalization
from chainer.utils import type_check
from chainer.utils.array import size_of_shape

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class LayerNormalization(_grouped_normalization.GroupedNormalization):
    """The node of :func:`layer_normalization`: inputs ``(x, gamma, beta)``."""

    def _check_params(self, x_type, gamma_type, beta_type) -> None:
        # Chainer's x is 2-d, its parameters 1-d; here x may have more axes.
        param_ndim = type_check.eval(x_type.ndim) - 1
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= 2,
            gamma_type.ndim == param_ndim,
            beta_type.ndim == param_ndim,
            gamma_type.dtype == x_type.dtype,
            beta_type.dtype == x_type.dtype,
            gamma_type.shape == beta_type.shape,
        )
        # Other lengths: also the ValueError of NumPy's broadcasting in Chainer.
        with type_check._failing_as(type_check._InvalidValue):
            type_check.expect(
                gamma_type.shape == x_type.shape[1:],
                beta_type.shape == x_type.shape[1:],
            )

    def _layout(self, shape: tuple) -> tuple:
        return shape[0], 1, size_of_shape(shape[1:]), 1

    def _host_data_grad(self, xs, gamma_row, gys):
        # Chainer's backward, step by step: through xhat = (x - mu) * inv_std,
        # inv_std = 1 / sqrt(var + eps), var = mean((x - mu) ** 2), mu = mean(x)
        dt = xs.dtype.type
        k = xs.shape[1]
        x_mu = xs - self.mean[:, None]
        inv_std = self.inv_std[:, None]
        g_x_hat = gys * gamma_row
        g_inv_std = (g_x_hat * x_mu).sum(axis=1, keepdims=True)
        g_x_1 = g_x_hat * inv_std
        g_var = g_inv_std * (dt(-1.) / self._var_eps[:, None]) * dt(0.5) * inv_std
        g_x_1 += g_var * dt(1. / k) * dt(2) * x_mu
        g_mu = g_x_1.sum(axis=1, keepdims=True) * dt(-1.)
        g_x_1 += g_mu * dt(1. / k)
        x_mu *= inv_std
        return g_x_1, x_mu


def layer_normalization(x: VariableOrArray, gamma: VariableOrArray, beta: VariableOrArray,
                        eps: float = 1e-5) -> 'chainer.Variable':
    """Layer normalization (Ba et al., 2016).

    Each sample (row of ``x``) is normalized with its own mean and variance over
    all its features, then scaled by ``gamma`` and shifted by ``beta``.

    Args:
        x: Input of shape ``(batch_size, unit_size)`` (or ``(batch_size, ...)``).
        gamma, beta: Scale and shift of shape ``x.shape[1:]`` (or, for a 2-d ``x``,
            both of shape ``(1,)``: broadcast over the units, as Chainer's were).
        eps (float): Added to the variances.
    """
    if (getattr(x, 'ndim', None) == 2 and x.shape[1] != 1
            and getattr(gamma, 'shape', None) == (1,) and getattr(beta, 'shape', None) == (1,)):
        F = chainer.functions
        gamma, beta = F.broadcast_to(gamma, x.shape[1:]), F.broadcast_to(beta, x.shape[1:])
    return LayerNormalization(eps).apply((x, gamma, beta))[0]
