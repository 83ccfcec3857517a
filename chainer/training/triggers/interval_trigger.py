"""A trigger that fires every ``period`` iterations or epochs."""
from __future__ import annotations

import numbers
import warnings
from typing import TYPE_CHECKING, Any
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer

_UNITS = ('epoch', 'iteration')


def _check_unit(unit: Any) -> None:
    if unit not in _UNITS:
        raise ValueError(
            f"Trigger unit must be either 'epoch' or 'iteration', got {unit!r}.")


def _previous_and_current(trigger: Any, updater: Any) -> tuple:
    """The trigger's last seen and the current position of ``updater`` in its unit.

    A negative last position means "unknown" (a snapshot that did not save it):
    the updater's previous epoch, or the iteration before the current one.
    """
    if trigger.unit == 'epoch':
        current = updater.epoch_detail
        previous = trigger._previous_epoch_detail
        if previous < 0:
            previous = updater.previous_epoch_detail
    else:
        current = updater.iteration
        previous = trigger._previous_iteration
        if previous < 0:
            previous = current - 1
    return previous, current


def _remember(trigger: Any, updater: Any) -> None:
    """Keeps the updater's position as the trigger's last seen one."""
    trigger._previous_iteration = updater.iteration
    if hasattr(updater, 'epoch_detail'):
        trigger._previous_epoch_detail = updater.epoch_detail


def _serialize_previous(trigger: Any, serializer: Any, name: str) -> None:
    """Saves or loads the last position the trigger (class ``name``) has seen.

    A snapshot without it loads as "unknown" (with a warning), guessed at the next call.
    """
    _serialize_or_forget(
        trigger, serializer, 'previous_iteration', -1,
        f'The previous value of iteration is not saved. {name} guesses it using '
        'current iteration. If this trigger is not called at every iteration, '
        'it may not work correctly.')
    _serialize_or_forget(
        trigger, serializer, 'previous_epoch_detail', -1.0,
        f'The previous value of epoch_detail is not saved. {name} uses the value '
        'of trainer.updater.previous_epoch_detail. If this trigger is not called '
        'at every iteration, it may not work correctly.')


def _serialize_or_forget(trigger: Any, serializer: Any, key: str, unknown: Any,
                         message: str) -> None:
    """Serializes ``trigger._<key>``; a snapshot without ``key`` warns ``message``
    and leaves the value ``unknown`` (not while a loader only checks the file)."""
    attr = '_' + key
    try:
        setattr(trigger, attr, serializer(key, getattr(trigger, attr)))
    except KeyError:
        warnings.warn(message)
        if not getattr(serializer, 'checking', False):
            setattr(trigger, attr, unknown)


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
            raise ValueError(f'Trigger period must be a positive number, got {_repr(period)}.')
        self.period = period
        self.unit = unit
        self._previous_iteration = 0
        self._previous_epoch_detail = 0.0
        # Kept for code that reads it, as Chainer does.
        self.count = 0

    def __call__(self, trainer: Trainer) -> bool:
        """Whether the trigger fires at the current state of ``trainer``."""
        updater = trainer.updater
        previous, current = _previous_and_current(self, updater)
        if self.unit == 'epoch':
            self.count = current // self.period
        fire = previous // self.period != current // self.period
        _remember(self, updater)
        return fire

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the last state seen, so resumed runs fire at the same points."""
        _serialize_previous(self, serializer, 'IntervalTrigger')

    def get_training_length(self) -> tuple:
        """``(period, unit)``: the training length when used as a stop trigger."""
        return self.period, self.unit

    def __str__(self) -> str:
        return f'{type(self).__name__}({self.period}, {self.unit!r})'
