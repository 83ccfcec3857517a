"""Averaging an observed value over iterations and ranks."""
from __future__ import annotations

from typing import Any, Callable

import numpy

import chainer
from chainer import backend
from chainer.training import extension
from chainer.training import util


def _to_float(value: Any) -> Any:
    if isinstance(value, chainer.Variable):
        value = value.array
    if backend.get_array_module(value) is not numpy:
        value = value.get()
    return numpy.asarray(value)


def _mean(values: list) -> Any:
    return sum(values) / len(values)


class ObservationAggregator(extension.Extension):
    """Collects ``observation[original_key]`` every iteration; when ``comm_trigger``
    fires, puts the aggregate over the collected values of all ranks (their mean by
    default, or ``aggregator(list)``) into ``observation[aggregated_key]``."""

    trigger = 1, 'iteration'
    priority = extension.PRIORITY_EDITOR
    name = None

    def __init__(self, comm: Any, original_key: str, aggregated_key: str | None = None, *,
                 comm_trigger: Any = (1, 'iteration'),
                 aggregator: Callable | None = None) -> None:
        self.comm = comm
        self.original_key = original_key
        self.aggregated_key = original_key if aggregated_key is None else aggregated_key
        self.comm_trigger = util.get_trigger(comm_trigger)
        self.aggregator = _mean if aggregator is None else aggregator
        self.observation_history: list = []

    def __call__(self, trainer: Any) -> None:
        observation = trainer.observation
        if self.original_key in observation:
            self.observation_history.append(_to_float(observation[self.original_key]))
        if not self.comm_trigger(trainer):
            return
        histories = self.comm.mpi_comm.allgather(self.observation_history)
        values = [v for h in histories for v in h]
        self.observation_history = []
        if values:
            observation[self.aggregated_key] = self.aggregator(values)
