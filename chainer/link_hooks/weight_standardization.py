"""WeightStandardization: standardizes each output unit's weights to zero mean, unit variance."""
from __future__ import annotations

from typing import Any, Optional

import chainer
from chainer import backend
from chainer import link_hook
from chainer import variable
from chainer.link_hooks import _weight_hook


class WeightStandardization(link_hook.LinkHook):
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

    def __enter__(self) -> None:
        raise NotImplementedError(
            'This hook is not supposed to be used as context manager.')

    def __exit__(self, *args: Any) -> None:
        raise NotImplementedError

    def added(self, link: Any) -> None:
        _weight_hook.check_weight(link, self.weight_name)
        if getattr(link, self.weight_name).array is not None:
            self._initialized = True

    def forward_preprocess(self, cb_args: Any) -> None:
        link = cb_args.link
        if not self._initialized:
            if getattr(link, self.weight_name).array is None:
                _weight_hook.initialize_lazy_weight(link, cb_args)
            self._initialized = True
        _weight_hook.swap_in(
            self, link, self.weight_name,
            lambda link: self._standardize(getattr(link, self.weight_name)))

    def forward_postprocess(self, cb_args: Any) -> None:
        _weight_hook.swap_out(self, cb_args.link, self.weight_name)

    def _standardize(self, W: Any) -> variable.Variable:
        from chainer import functions as F
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
