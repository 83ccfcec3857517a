"""A stop trigger that ends training when a monitored value stops improving."""
from __future__ import annotations

import operator
import warnings
from typing import TYPE_CHECKING, Any

from chainer import reporter
from chainer.training import util
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class EarlyStoppingTrigger:
    """Fires (stops training) when ``monitor`` has not improved for ``patience`` checks.

    Args:
        check_trigger: When to check the monitored value (values in between
            are averaged).
        monitor (str): Observation key to watch.
        patience (int): Number of checks without improvement before firing
            (default 3). ``patients`` is accepted as an old alias.
        mode (str): ``'max'``, ``'min'`` or ``'auto'`` (``'max'`` when the key
            contains ``'accuracy'``, else ``'min'``).
        verbose (bool): Print the decisions.
        max_trigger: Fires in any case at this point.
    """

    def __init__(self, check_trigger: Any = (1, 'epoch'), monitor: str = 'main/loss',
                 patience: int | None = None, mode: str = 'auto', verbose: bool = False,
                 max_trigger: Any = (100, 'epoch'), **kwargs: Any) -> None:
        patients, = argument.parse_kwargs(kwargs, ('patients', None))
        if patients is not None:
            if patience is not None:
                raise TypeError(
                    "Both 'patience' and 'patients' arguments are specified. "
                    "'patients' is an alias of the former. Specify only 'patience'.")
            patience = patients
        if patience is None:
            patience = 3
        if mode not in ('auto', 'max', 'min'):
            raise ValueError(f"mode must be 'auto', 'max' or 'min', got {mode!r}")
        self.count = 0
        self.patience = patience
        self.monitor = monitor
        self.verbose = verbose
        self.already_warning = False
        self._max_trigger = util.get_trigger(max_trigger)
        self._interval_trigger = util.get_trigger(check_trigger)
        self._init_summary()

        if mode == 'max' or (mode == 'auto' and 'accuracy' in monitor):
            self._compare = operator.gt
            self.best = float('-inf')
            if verbose:
                print('early stopping: operator is greater')
        else:
            self._compare = operator.lt
            self.best = float('inf')
            if verbose:
                print('early stopping: operator is less')

    def __call__(self, trainer: Trainer) -> bool:
        """Whether training should stop now."""
        observation = trainer.observation
        if self.monitor in observation:
            self._summary.add({self.monitor: observation[self.monitor]})

        if self._max_trigger(trainer):
            return True
        if not self._interval_trigger(trainer):
            return False

        if self.monitor not in observation:
            warnings.warn(f'{self.monitor} is not in observation')
            return False

        stat = self._summary.compute_mean()
        current = float(stat[self.monitor])
        self._init_summary()

        if self._compare(current, self.best):
            self.best = current
            self.count = 0
        else:
            self.count += 1

        if self._stop_condition():
            if self.verbose:
                print(f'Epoch {trainer.updater.epoch}: early stopping')
            return True
        return False

    def _stop_condition(self) -> bool:
        return self.count >= self.patience

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()

    def get_training_length(self) -> Any:
        """The length given by ``max_trigger``."""
        return self._max_trigger.get_training_length()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the best value, the count and the inner triggers."""
        for name, trig in (('max_trigger', self._max_trigger),
                           ('interval_trigger', self._interval_trigger)):
            if hasattr(trig, 'serialize'):
                trig.serialize(serializer[name])
        self._summary.serialize(serializer['summary'])
        try:
            self.best = float(serializer('best', self.best))
            self.count = int(serializer('count', self.count))
        except KeyError:
            warnings.warn('The state of EarlyStoppingTrigger is not saved.')
