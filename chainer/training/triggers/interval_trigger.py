"""A trigger that fires every ``period`` iterations or epochs."""
from __future__ import annotations

import numbers
import warnings
from typing import Any

_UNITS = ('epoch', 'iteration')


def _check_unit(unit: Any) -> None:
    if unit not in _UNITS:
        raise ValueError(
            f"Trigger unit must be either 'epoch' or 'iteration', got {unit!r}.")


class IntervalTrigger:
    """Fires each time the iteration count or epoch crosses a multiple of ``period``.

    Args:
        period (int or float): Length of the interval (fractions of an epoch
            are allowed).
        unit (str): ``'epoch'`` or ``'iteration'``.
    """

    def __init__(self, period: int | float, unit: str) -> None:
        _check_unit(unit)
        if (not isinstance(period, numbers.Real) or isinstance(period, bool)
                or period <= 0):
            raise ValueError(f'Trigger period must be a positive number, got {period!r}.')
        self.period = period
        self.unit = unit
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.0
        # Kept for code that reads it, as Chainer does.
        self.count = 0

    def __call__(self, trainer: Any) -> bool:
        """Whether the trigger fires at the current state of ``trainer``."""
        updater = trainer.updater
        if self.unit == 'epoch':
            epoch_detail = updater.epoch_detail
            previous = self._previous_epoch_detail
            # A negative value means "unknown" (old snapshot): ask the updater.
            if previous < 0:
                previous = updater.previous_epoch_detail
            self.count = epoch_detail // self.period
            fire = previous // self.period != epoch_detail // self.period
        else:
            iteration = updater.iteration
            previous = self._previous_iteration
            if previous < 0:
                previous = iteration - 1
            fire = previous // self.period != iteration // self.period
        self._previous_iteration = updater.iteration
        if hasattr(updater, 'epoch_detail'):
            self._previous_epoch_detail = updater.epoch_detail
        return fire

    def serialize(self, serializer: Any) -> None:
        """Saves or loads the last state seen, so resumed runs fire at the same points."""
        try:
            self._previous_iteration = serializer(
                'previous_iteration', self._previous_iteration)
        except KeyError:
            warnings.warn(
                'The previous value of iteration is not saved. IntervalTrigger '
                'guesses it using current iteration. If this trigger is not '
                'called at every iteration, it may not work correctly.')
            if not getattr(serializer, 'checking', False):
                self._previous_iteration = -1
        try:
            self._previous_epoch_detail = serializer(
                'previous_epoch_detail', self._previous_epoch_detail)
        except KeyError:
            warnings.warn(
                'The previous value of epoch_detail is not saved. '
                'IntervalTrigger uses the value of '
                'trainer.updater.previous_epoch_detail. If this trigger is '
                'not called at every iteration, it may not work correctly.')
            if not getattr(serializer, 'checking', False):
                self._previous_epoch_detail = -1.0

    def get_training_length(self) -> tuple:
        """``(period, unit)``: the training length when used as a stop trigger."""
        return self.period, self.unit

    def __str__(self) -> str:
        return f'{type(self).__name__}({self.period}, {self.unit!r})'
