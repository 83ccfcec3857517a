"""Placeholder for the multi-process, multi-GPU updater (a later issue)."""
from __future__ import annotations

from typing import Any, Callable

from chainer.dataset import convert
from chainer.training.updaters import standard_updater

_MESSAGE = (
    'MultiprocessParallelUpdater is not available yet: multi-GPU and multi-node '
    'training (NCCL, ChainerMN) belong to a later issue of rechainer. Use '
    'StandardUpdater, or ParallelUpdater for several devices in one process.')


class MultiprocessParallelUpdater(standard_updater.StandardUpdater):
    """Multi-process data-parallel updater; constructing it raises NotImplementedError."""

    def __init__(self, iterators: Any, optimizer: Any,
                 converter: Callable = convert.concat_examples, devices: Any = None,
                 auto_new_epoch: bool = True) -> None:
        raise NotImplementedError(_MESSAGE)

    @staticmethod
    def available() -> bool:
        """Whether the updater can be used here (never, for now)."""
        return False
