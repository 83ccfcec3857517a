"""LogReport: averages observations over an interval and writes them to a JSON log."""
from __future__ import annotations

import json
import os
import warnings
from typing import TYPE_CHECKING, Any, Callable, Iterable

from chainer import reporter
from chainer import serializer as serializer_module
from chainer.training import extension
from chainer.training import util as trigger_module
from chainer.utils import _atomic
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class LogReport(extension.Extension):
    """Averages the observed values at each ``trigger`` and appends them to a log.

    Each log entry holds the means of the observed values since the last
    entry plus ``epoch``, ``iteration`` and ``elapsed_time``. The whole log
    is written as JSON to ``filename`` under ``trainer.out`` (atomically).

    Args:
        keys (iterable of str): Keys to collect (all when None).
        trigger: When to make a log entry.
        postprocess (callable): Called with each entry (a dict) before it is
            added; it may edit it.
        filename (str): Log file name; may hold ``{key}`` fields filled from
            the entry. Defaults to ``'log'`` (the old ``log_name`` argument
            is accepted). ``log_name=None`` disables writing.
    """

    def __init__(self, keys: Iterable[str] | None = None,
                 trigger: tuple[int | float, str] | Callable[[Trainer], bool] = (1, 'epoch'),
                 postprocess: Callable | None = None, filename: str | None = None,
                 **kwargs: Any) -> None:
        self._keys = keys
        self._trigger = trigger_module.get_trigger(trigger)
        self._postprocess = postprocess
        self._log: list = []

        log_name, = argument.parse_kwargs(kwargs, ('log_name', 'log'))
        if filename is None:
            filename = log_name
        self._log_name = filename
        self._init_summary()

    def __call__(self, trainer: Trainer) -> None:
        keys = self._keys
        observation = trainer.observation
        if keys is None:
            self._summary.add(observation)
        else:
            self._summary.add({k: observation[k] for k in keys if k in observation})

        # A call before training (call_before_training=True) makes an entry of
        # its own, so that e.g. the first validation is not mixed into epoch 1.
        if not (trainer.is_before_training or self._trigger(trainer)):
            return

        stats = self._summary.compute_mean()
        stats_cpu = {}
        for name, value in stats.items():
            stats_cpu[name] = float(value)
        updater = trainer.updater
        stats_cpu['epoch'] = updater.epoch
        stats_cpu['iteration'] = updater.iteration
        stats_cpu['elapsed_time'] = trainer.elapsed_time

        if self._postprocess is not None:
            self._postprocess(stats_cpu)

        self._log.append(stats_cpu)

        if self._log_name is not None:
            log_name = self._log_name.format(**stats_cpu)
            text = json.dumps(self._log, indent=4)
            _atomic.write_text(os.path.join(trainer.out, log_name), text, create_directory=True)

        self._init_summary()

    @property
    def log(self) -> list:
        """The list of log entries (dicts) made so far."""
        return self._log

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the trigger, the running summary and the log (as JSON)."""
        if hasattr(self._trigger, 'serialize'):
            self._trigger.serialize(serializer['_trigger'])
        try:
            self._summary.serialize(serializer['_summary'])
        except KeyError:
            warnings.warn('The statistics are not saved.')
        if isinstance(serializer, serializer_module.Serializer):
            serializer('_log', json.dumps(self._log))
            return
        log = serializer_module.read_json(serializer, '_log', [])
        if not isinstance(log, list):
            raise ValueError(
                f'{serializer_module.describe_key(serializer, "_log")} is not a JSON list '
                'of log entries')
        if not serializer_module.is_checking(serializer):
            self._log = log

    def _init_summary(self) -> None:
        self._summary = reporter.DictSummary()
