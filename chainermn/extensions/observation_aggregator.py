"""Averaging an observed value over iterations and ranks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy

import chainer
from chainer import backend
from chainer.training import extension
from chainer.training import util

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainermn.communicators.communicator_base import CommunicatorBase


def _to_host(value: Any) -> Any:
    """An observed value for the other ranks: a Variable's array (pickling the
    Variable would send its whole graph), on the host; numbers as they are."""
    if isinstance(value, chainer.Variable):
        value = value.array
    if backend.get_array_module(value) is not numpy:
        return value.get()
    return value


def _mean_2d(histories: list) -> Any:
    values = [v for history in histories for v in history]
    return sum(values) / len(values)


class ObservationAggregator(extension.Extension):
    """Collects ``observation[original_key]`` every iteration; when ``comm_trigger``
    fires, rank 0 applies ``aggregator`` to the list of every rank's list of collected
    values (default: the mean of them all) and the result, sent to every rank, goes
    into ``observation[aggregated_key]``."""

    trigger = 1, 'iteration'
    priority = extension.PRIORITY_EDITOR
    name = None

    def __init__(self, comm: CommunicatorBase, original_key: str, aggregated_key: str | None = None,
                 *, comm_trigger: Any = (1, 'iteration'),
                 aggregator: Callable | None = None) -> None:
        self.comm = comm
        self.original_key = original_key
        self.aggregated_key = original_key if aggregated_key is None else aggregated_key
        self.comm_trigger = util.get_trigger(comm_trigger)
        self.aggregator = aggregator or _mean_2d
        self.observation_history: list = []

    def compute_summary(self, trainer: Trainer) -> Any:
        """Records this iteration's value; the aggregate when ``comm_trigger`` fires,
        else None."""
        observation = trainer.observation
        if self.original_key in observation:
            self.observation_history.append(_to_host(observation[self.original_key]))
        if not self.comm_trigger(trainer):
            return None
        histories = self.comm.gather_obj(self.observation_history)
        self.observation_history = []
        summary = self.aggregator(histories) if self.comm.rank == 0 else None
        return self.comm.bcast_obj(summary)

    def __call__(self, trainer: Trainer) -> None:
        summary = self.compute_summary(trainer)
        if summary is not None:
            trainer.observation[self.aggregated_key] = summary
