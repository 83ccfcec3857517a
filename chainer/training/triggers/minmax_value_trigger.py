"""Triggers that fire when an observed value reaches a new best."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from chainer import reporter
from chainer import serializer as serializer_module
from chainer.training import util

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class BestValueTrigger:
    """Fires when the mean of ``key`` over an interval is the best so far.

    Args:
        key (str): Observation key to watch.
        compare (callable): ``compare(best, new)`` is True when ``new`` is
            better than ``best``.
        trigger: When to compare (the values in between are averaged).
    """

    def __init__(
            self, key: str, compare: Callable[[Any, Any], bool],
            trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch')) -> None:
        self._key = key
        self._best_value = None
        self._interval_trigger = util.get_trigger(trigger)
        self._init_summary()
        self._compare = compare

    def __call__(self, trainer: Trainer) -> bool:
        """Accumulates the value; at the interval, fires on a new best."""
        observation = trainer.observation
        key = self._key
        if key in observation:
            self._summary.add({key: observation[key]})
        if not self._interval_trigger(trainer):
            return False
        stats = self._summary.compute_mean()
        if key not in stats:
            raise KeyError(f'{key!r} was not reported since the last comparison')
        value = float(stats[key])
        self._init_summary()
        if self._best_value is None or self._compare(self._best_value, value):
            self._best_value = value
            return True
        return False

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the interval trigger, the running summary and the best value."""
        if hasattr(self._interval_trigger, 'serialize'):
            self._interval_trigger.serialize(serializer['interval_trigger'])
        self._summary.serialize(serializer['summary'])
        # Before a best exists the value is None, saved as Chainer saved it (its
        # strict load needs the key); a file without the key loads as no best.
        if isinstance(serializer, serializer_module.Serializer):
            serializer('best_value', self._best_value)
        else:
            try:
                best = serializer('best_value', None)
            except KeyError:
                best = None
            if best is not None:
                best = serializer_module.convert_read(serializer, 'best_value', best, float,
                                                      'a number')
            if not serializer_module.is_checking(serializer):
                self._best_value = best


class MaxValueTrigger(BestValueTrigger):
    """Fires when the mean of ``key`` over an interval is the largest so far."""

    def __init__(
            self, key: str,
            trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch')) -> None:
        super().__init__(key, lambda max_value, new_value: new_value > max_value, trigger)


class MinValueTrigger(BestValueTrigger):
    """Fires when the mean of ``key`` over an interval is the smallest so far."""

    def __init__(
            self, key: str,
            trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch')) -> None:
        super().__init__(key, lambda min_value, new_value: new_value < min_value, trigger)
