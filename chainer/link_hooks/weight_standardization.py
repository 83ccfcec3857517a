"""WeightStandardization: standardizes each output unit's weights to zero mean, unit variance."""
from __future__ import annotations

from typing import Any, Optional

import chainer
from chainer import backend
from chainer import variable
from chainer.link_hooks import _weight_hook


class WeightStandardization(_weight_hook.WeightHook):
    """Weight standardization: the link runs with a standardized weight in place of ``W``.

    For each output unit ``i`` (axis 0 of ``W``), ``W[i]`` is replaced by
    ``(W[i] - mean(W[i])) / sqrt(var(W[i]) + eps)``. Register it with
    :meth:`chainer.Link.add_hook`; it cannot be used as a context manager.

    Args:
        eps: Added to the variance for numerical stability.
        weight_name: Attribute name of the weight to standardize.
        name: Name of the hook (default ``'WeightStandardization'``).
    """

    name = 'WeightStandardization'

    def __init__(self, *, eps: float = 1e-5, weight_name: str = 'W',
                 name: Optional[str] = None) -> None:
        self.eps = eps
        self.weight_name = weight_name
        self._initialized = False
        if name is not None:
            self.name = name

    def _make_weight(self, link: Any) -> variable.Variable:
        from chainer import functions as F
        W = getattr(link, self.weight_name)
        if W.ndim < 2:
            raise ValueError(
                f'WeightStandardization needs a weight with at least 2 dimensions; '
                f'got shape {W.shape}')
        # Chainer's form: group normalization with one group, the weight's
        # axis 0 as the batch, and a unit scale and zero shift.
        xp = backend.get_array_module(W)
        with chainer.using_device(backend.get_device_from_array(W.array)):
            gamma = xp.ones((W.shape[1],), dtype=W.dtype)
            beta = xp.zeros((W.shape[1],), dtype=W.dtype)
        return F.group_normalization(W, 1, gamma, beta, eps=self.eps)
