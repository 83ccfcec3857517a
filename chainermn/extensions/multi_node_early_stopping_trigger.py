"""Early stopping decided once for every rank."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer.training import triggers
from chainermn.extensions.observation_aggregator import ObservationAggregator

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainermn.communicators.communicator_base import CommunicatorBase

__all__ = ['MultiNodeEarlyStoppingTrigger', 'ObservationAggregator']


class MultiNodeEarlyStoppingTrigger:
    """``EarlyStoppingTrigger`` on the mean of ``monitor`` over the ranks: an
    :class:`ObservationAggregator` puts it into ``monitor + suffix`` every
    ``check_trigger``, so every rank decides on the same value and all stop at the
    same iteration.  Other arguments as ``EarlyStoppingTrigger``."""

    def __init__(self, comm: CommunicatorBase, *, check_trigger: Any = (1, 'epoch'),
                 monitor: str = 'main/loss', patience: int | None = None, mode: str = 'auto',
                 verbose: bool = False, max_trigger: Any = (100, 'epoch'),
                 suffix: str = '_aggregated', **kwargs: Any) -> None:
        aggregated = monitor + suffix
        self.actual_trigger = triggers.EarlyStoppingTrigger(
            check_trigger=check_trigger, monitor=aggregated, patience=patience, mode=mode,
            verbose=verbose, max_trigger=max_trigger, **kwargs)
        self.aggregator = ObservationAggregator(comm, monitor, aggregated_key=aggregated,
                                                comm_trigger=check_trigger)

    def __call__(self, trainer: Trainer) -> bool:
        self.aggregator(trainer)
        return self.actual_trigger(trainer)

    def get_training_length(self) -> Any:
        return self.actual_trigger.get_training_length()
