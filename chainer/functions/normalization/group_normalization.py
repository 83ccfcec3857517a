"""Group normalization: normalize each sample over groups of channels."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer.functions.normalization import _grouped_normalization
from chainer.utils import type_check
from chainer.utils.array import size_of_shape
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class GroupNormalization(_grouped_normalization.GroupedNormalization):
    """The node of :func:`group_normalization`: inputs ``(x, gamma, beta)``."""

    def __init__(self, groups: int, eps: float = 1e-5) -> None:
        if isinstance(groups, bool) or not isinstance(groups, (int, numpy.integer)):
            raise TypeError(f'groups must be an int, got {type(groups).__name__}')
        if groups <= 0:
            raise ValueError(f'groups must be a positive integer, got {_repr(groups)}')
        super().__init__(eps)
        self.groups = groups

    def _check_params(self, x_type, gamma_type, beta_type) -> None:
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= 2,
            gamma_type.ndim == 1,
            beta_type.ndim == 1,
            gamma_type.dtype.kind == 'f',
            gamma_type.dtype == beta_type.dtype,
            x_type.shape[1] == gamma_type.shape[0],
            gamma_type.shape == beta_type.shape,
        )
        channels = type_check.eval(x_type.shape[1])
        if channels % self.groups:
            raise ValueError(
                f'The number of channels {channels} is not divisible by '
                f"'groups' argument {self.groups}.")

    def _layout(self, shape: tuple) -> tuple:
        c = shape[1]
        return shape[0], self.groups, c // self.groups, size_of_shape(shape[2:])

def group_normalization(x: VariableOrArray, groups: int, gamma: VariableOrArray,
                        beta: VariableOrArray, eps: float = 1e-5) -> 'chainer.Variable':
    """Group normalization (Wu and He, 2018).

    The channels of each sample are split into ``groups`` groups; each group is
    normalized with its own mean and variance (over its channels and the spatial
    axes), then every channel is scaled by ``gamma`` and shifted by ``beta``.

    Args:
        x: Input of shape ``(N, C, ...)``.
        groups (int): Number of channel groups; must divide ``C``.
        gamma, beta: Per-channel scale and shift of shape ``(C,)``.
        eps (float): Added to the variances.
    """
    return GroupNormalization(groups, eps).apply((x, gamma, beta))[0]
