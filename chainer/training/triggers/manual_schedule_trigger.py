"""A trigger that fires at given iterations or epochs."""
from __future__ import annotations

import warnings
from typing import Any, Sequence

from chainer.training.triggers.interval_trigger import _check_unit


class ManualScheduleTrigger:
    """Fires when the iteration count or epoch passes one of ``points``.

    Args:
        points (int, float or list of them): When to fire.
        unit (str): ``'epoch'`` or ``'iteration'``.

    Attributes:
        finished (bool): True once the last point has been passed.
    """

    def __init__(self, points: int | float | Sequence, unit: str) -> None:
        _check_unit(unit)
        if isinstance(points, (int, float)):
            points = [points]
        points = list(points)
        if not points:
            raise ValueError('ManualScheduleTrigger needs at least one point.')
        self.points = points
        self.unit = unit
        self.finished = False
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.0

    def __call__(self, trainer: Any) -> bool:
        """Whether a point was passed since the last call."""
        updater = trainer.updater
        if self.unit == 'epoch':
            current = updater.epoch_detail
            previous = self._previous_epoch_detail
            if previous < 0:
                previous = updater.previous_epoch_detail
        else:
            current = updater.iteration
            previous = self._previous_iteration
            if previous < 0:
                previous = current - 1
        fire = any(previous < p <= current for p in self.points)
        if current >= max(self.points):
            self.finished = True
        self._previous_iteration = updater.iteration
        if hasattr(updater, 'epoch_detail'):
            self._previous_epoch_detail = updater.epoch_detail
        return fire

    def serialize(self, serializer: Any) -> None:
        """Saves or loads the last state seen and ``finished``."""
        try:
            self._previous_iteration = serializer(
                'previous_iteration', self._previous_iteration)
        except KeyError:
            warnings.warn(
                'The previous value of iteration is not saved. '
                'ManualScheduleTrigger guesses it using current iteration. '
                'If this trigger is not called at every iteration, it may '
                'not work correctly.')
            if not getattr(serializer, 'checking', False):
                self._previous_iteration = -1
        try:
            self._previous_epoch_detail = serializer(
                'previous_epoch_detail', self._previous_epoch_detail)
        except KeyError:
            warnings.warn(
                'The previous value of epoch_detail is not saved. '
                'ManualScheduleTrigger uses the value of '
                'trainer.updater.previous_epoch_detail. If this trigger is '
                'not called at every iteration, it may not work correctly.')
            if not getattr(serializer, 'checking', False):
                self._previous_epoch_detail = -1.0
        try:
            self.finished = bool(serializer('finished', self.finished))
        except KeyError:
            warnings.warn('The flag of finished is not saved.')
