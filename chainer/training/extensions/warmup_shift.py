"""WarmupShift: ramps a hyperparameter linearly up to its value at the start of training."""
from __future__ import annotations

from typing import Any

from chainer.training.extensions import _shift_base


class WarmupShift(_shift_base._ShiftBase):
    """Ramps ``optimizer.<attr>`` linearly from ``warmup_start`` to ``init``.

    The ramp lasts ``warmup_iter`` calls.

    After the warm-up the attribute is left alone (other shifts may take over).

    Args:
        attr (str): Name of the optimizer attribute.
        warmup_start (float): Value at the start.
        warmup_iter (int): Number of calls of the warm-up.
        init (float): Value reached at the end of the warm-up.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, warmup_start: float, warmup_iter: int, init: float,
                 optimizer: Any = None) -> None:
        if warmup_iter <= 0:
            raise ValueError(f'warmup_iter must be positive, got {warmup_iter!r}')
        super().__init__(attr, optimizer)
        self._warmup_start = warmup_start
        self._warmup_iter = warmup_iter
        self._init = init

    def initialize(self, trainer: Any) -> None:
        optimizer = self._get_optimizer(trainer)
        self._update_value(optimizer, self._warmup_start if self._last_value is None
                           else self._last_value)

    def __call__(self, trainer: Any) -> None:
        self._t += 1
        if self._t <= self._warmup_iter:
            value = (self._warmup_start
                     + (self._init - self._warmup_start) * (self._t / self._warmup_iter))
            self._update_value(self._get_optimizer(trainer), value)
