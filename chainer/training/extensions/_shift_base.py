"""Shared parts of the hyperparameter shift extensions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer.training import extension

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


def _clip_to_target(value: float, target: float | None, increasing: bool) -> float:
    # Stop at ``target`` when the schedule reaches it; ratios rather than
    # min/max so that negative hyperparameters work too.
    if target is None:
        return value
    if increasing:
        if value / target > 1:
            return target
    elif value / target < 1:
        return target
    return value


class _ShiftBase(extension.Extension):
    """Sets an optimizer attribute from a schedule of the call count ``_t``."""

    def __init__(self, attr: str, optimizer: Optimizer) -> None:
        self._attr = attr
        self._optimizer = optimizer
        self._t = 0
        self._last_value: Any = None

    def _get_optimizer(self, trainer: Any) -> Any:
        return self._optimizer or trainer.updater.get_optimizer('main')

    def _update_value(self, optimizer: Any, value: Any) -> None:
        setattr(optimizer, self._attr, value)
        self._last_value = value

    def serialize(self, serializer: AbstractSerializer) -> None:
        t = int(serializer('_t', self._t))
        last = serializer('_last_value', self._last_value)
        if isinstance(last, numpy.ndarray):
            last = last.item()
        if not getattr(serializer, 'checking', False):
            self._t = t
            self._last_value = last


class _InitShiftBase(_ShiftBase):
    """A shift from ``self._init`` (the attribute's current value when None)."""

    _init: Any = None

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._init is None:
            self._init = getattr(optimizer, self._attr)
        self._update_value(optimizer, self._init if self._last_value is None
                           else self._last_value)
