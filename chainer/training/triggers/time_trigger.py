"""A trigger that fires every ``period`` seconds of training time."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class TimeTrigger:
    """Fires each time ``trainer.elapsed_time`` passes another ``period`` seconds.

    A period of 0 fires at every call.
    """

    def __init__(self, period: float) -> None:
        if period < 0:
            raise ValueError(f'TimeTrigger period must not be negative, got {_repr(period)}')
        self._period = period
        self._next_time = period

    def __call__(self, trainer: Trainer) -> bool:
        if self._next_time < trainer.elapsed_time:
            self._next_time += self._period
            return True
        return False

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the time of the next firing."""
        self._next_time = float(serializer('next_time', self._next_time))
