"""Helpers shared by the training loop: turning trigger specs into triggers."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from chainer.training.trainer import Trainer


def _never_fire_trigger(trainer: Any) -> bool:
    return False


def get_trigger(trigger: tuple[int | float, str] | Callable[[Trainer], bool]) -> Any:
    """Returns a trigger object for ``trigger``.

    A callable is returned as is, ``None`` gives a trigger that never fires,
    and a ``(period, unit)`` tuple gives an
    :class:`~chainer.training.triggers.IntervalTrigger`.
    """
    if callable(trigger):
        return trigger
    if trigger is None:
        return _never_fire_trigger
    from chainer.training.triggers import interval_trigger
    try:
        period, unit = trigger
    except (TypeError, ValueError):
        raise TypeError(
            'a trigger must be a callable, None or a (period, unit) tuple, '
            f'got {trigger!r}') from None
    return interval_trigger.IntervalTrigger(period, unit)
