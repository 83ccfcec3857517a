"""GroupNormalization: group normalization with learned per-channel scale and shift."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import numpy

import chainer
from chainer import variable
from chainer.links.normalization._scale_shift import ScaleShiftLink
from chainer.functions.normalization.group_normalization import group_normalization

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


class GroupNormalization(ScaleShiftLink):
    """Group normalization layer (Wu and He, 2018).

    Args:
        groups (int): Number of channel groups; must divide the channel count.
        size (int or None): Number of channels; None defers it to the first call.
        eps (float): Added to the variances.
        initial_gamma, initial_beta: Initializers of the scale (default 1) and
            shift (default 0); their dtype is set to the default dtype (float32
            under ``mixed16``).
    """

    def __init__(self, groups: int, size: Optional[int] = None, eps: float = 1e-5,
                 initial_gamma: InitializerSpec | None = None,
                 initial_beta: InitializerSpec | None = None) -> None:
        super().__init__(size, initial_gamma, initial_beta,
                         chainer.get_dtype(None, map_mixed16=numpy.float32))
        self.groups = groups
        self.eps = eps

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Normalizes ``x`` of shape ``(N, C, ...)``."""
        if self.gamma.array is None:
            xa = variable.as_array(x)
            if xa.ndim < 2:
                raise ValueError('GroupNormalization needs an input with a channel axis')
            self._initialize_params(xa.shape[1])
        return group_normalization(x, self.groups, self.gamma, self.beta, self.eps)
