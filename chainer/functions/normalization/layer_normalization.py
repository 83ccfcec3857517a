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
