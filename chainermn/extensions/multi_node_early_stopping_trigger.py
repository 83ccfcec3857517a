"""Early stopping decided once for every rank."""
from __future__ import annotations

from typing import Any

from chainer.training import triggers
from chainermn.extensions.observation_aggregator import ObservationAggregator

__all__ = ['MultiNodeEarlyStoppingTrigger', 'ObservationAggregator']


class MultiNodeEarlyStoppingTrigger:
    """``EarlyStoppingTrigger`` whose decision is rank 0's, broadcast to every rank,
    so that all ranks stop at the same iteration.  Arguments as ``EarlyStoppingTrigger``
    (``patients`` accepted as an old alias of ``patience``)."""

    def __init__(self, comm: Any, check_trigger: Any = (1, 'epoch'),
                 monitor: str = 'main/loss', patience: int | None = None, mode: str = 'auto',
                 verbose: bool = False, max_trigger: Any = (100, 'epoch'),
                 **kwargs: Any) -> None:
        self.comm = comm
        self.actual_trigger = triggers.EarlyStoppingTrigger(
            check_trigger=check_trigger, monitor=monitor, patience=patience, mode=mode,
            verbose=verbose and comm.rank == 0, max_trigger=max_trigger, **kwargs)

    def __call__(self, trainer: Any) -> bool:
        decision = bool(self.actual_trigger(trainer))
        return bool(self.comm.bcast_obj(decision, root=0))

    def get_training_length(self) -> Any:
        return self.actual_trigger.get_training_length()
