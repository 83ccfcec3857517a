"""MicroAverage: reports sum(numerator) / sum(denominator) over an interval."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import reporter
from chainer import serializer as serializer_module
from chainer.training import extension
from chainer.training import util as trigger_module

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer
    from collections.abc import Callable


def _scalar(x: Any) -> Any:
    # A saved sum back as a Python number of its own kind (a mid-interval sum
    # of float counts is a float; Chainer truncated it to the int it started as).
    value = numpy.asarray(x)
    if value.shape != () or value.dtype.kind not in 'biuf':
        raise TypeError(f'expected a number, got an array of shape {value.shape} '
                        f'and dtype {value.dtype}')
    return value.item()


class MicroAverage(extension.Extension):
    """Reports the micro average of a ratio: summed numerators over summed denominators.

    For instance with ``'main/correct'`` and ``'main/total'`` observed per
    iteration it reports the accuracy over all examples of the interval
    under ``result_key``.

    Args:
        numerator_key (str): Observation key of the numerator.
        denominator_key (str): Observation key of the denominator.
        result_key (str): Key of the reported average.
        trigger: When to report (and restart the sums).
    """

    priority = extension.PRIORITY_EDITOR

    def __init__(
            self, numerator_key: str, denominator_key: str, result_key: str,
            trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch')) -> None:
        self._trigger = trigger_module.get_trigger(trigger)
        self._numerator_key = numerator_key
        self._denominator_key = denominator_key
        self._result_key = result_key
        self._numerator: Any = 0
        self._denominator: Any = 0

    def __call__(self, trainer: Trainer) -> None:
        observation = trainer.observation
        if not (self._numerator_key in observation
                and self._denominator_key in observation):
            return

        self._numerator += observation[self._numerator_key]
        self._denominator += observation[self._denominator_key]

        if self._trigger(trainer):
            # As in Chainer, the type of the denominator sets the result's
            # (a NumPy scalar gives a numpy.float64, a Variable a Variable).
            numerator = float(self._numerator)
            if numpy.ndim(self._denominator) == 0 and isinstance(
                    self._denominator, (numpy.generic, numpy.ndarray)):
                # NumPy 1 divided a Python float by a 0-d float32 in float64.
                numerator = numpy.float64(numerator)
            result = numerator / self._denominator
            self._numerator = 0
            self._denominator = 0
            reporter.report({self._result_key: result})

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the trigger and the running sums (ints or floats, as saved)."""
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['trigger'])
        if isinstance(serializer, serializer_module.Serializer):
            serializer('_numerator', self._numerator)
            serializer('_denominator', self._denominator)
            return
        raw = [serializer(key, None) for key in ('_numerator', '_denominator')]
        if raw[0] is None or raw[1] is None:
            # The restoring pass after a failed load hands back the None given
            # here (as does a stored None): the sums stay as they are.
            return
        sums = [serializer_module.convert_read(serializer, key, value, _scalar, 'a number')
                for key, value in zip(('_numerator', '_denominator'), raw)]
        if not serializer_module.is_checking(serializer):
            self._numerator, self._denominator = sums
