"""A trigger that fires at given iterations or epochs."""
from __future__ import annotations

import numbers
import warnings
from typing import TYPE_CHECKING, Sequence

from chainer.training.triggers.interval_trigger import (
    _check_unit, _previous_and_current, _remember, _serialize_previous)

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


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
        if isinstance(points, numbers.Real):  # NumPy scalars too, as in Chainer
            points = [points]
        points = list(points)
        if not points:
            raise ValueError('ManualScheduleTrigger needs at least one point.')
        self.points = points
        self.unit = unit
        self.finished = False
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.0

    def __call__(self, trainer: Trainer) -> bool:
        """Whether a point was passed since the last call."""
        updater = trainer.updater
        previous, current = _previous_and_current(self, updater)
        fire = any(previous < p <= current for p in self.points)
        if current >= max(self.points):
            self.finished = True
        _remember(self, updater)
        return fire

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the last state seen and ``finished``."""
        _serialize_previous(self, serializer, 'ManualScheduleTrigger')
        try:
            self.finished = bool(serializer('finished', self.finished))
        except KeyError:
            warnings.warn('The flag of finished is not saved.')
