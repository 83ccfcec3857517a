"""A trainer driven by a mock updater, for testing extensions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from unittest import mock

from chainer import training  # NOQA: F401

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer


def is_available() -> bool:
    """Always true: the mock trainer needs only the standard library."""
    return True


def get_error() -> None:
    """Nothing failed to import (kept for Chainer's interface)."""
    return None


def check_available() -> None:
    """Never raises (kept for Chainer's interface)."""


def get_trainer_with_mock_updater(stop_trigger: Any = (10, 'iteration'), iter_per_epoch: int = 10,
                                  extensions: list | None = None) -> Trainer:
    """Returns a :class:`chainer.training.Trainer` whose updater only counts.

    Each ``update()`` advances ``iteration``, ``epoch``, ``epoch_detail``,
    ``previous_epoch_detail`` and ``is_new_epoch`` as an updater over a
    dataset of ``iter_per_epoch`` batches would.
    """

    if extensions is None:
        extensions = []
    updater = mock.Mock()
    updater.get_all_optimizers.return_value = {}
    updater.iteration = 0
    updater.epoch = 0
    updater.epoch_detail = 0
    updater.is_new_epoch = True
    updater.previous_epoch_detail = None

    def update():
        updater.update_core()
        updater.iteration += 1
        updater.epoch = updater.iteration // iter_per_epoch
        updater.epoch_detail = updater.iteration / iter_per_epoch
        updater.is_new_epoch = (updater.iteration - 1) // iter_per_epoch != updater.epoch
        updater.previous_epoch_detail = (updater.iteration - 1) / iter_per_epoch

    updater.update = update
    return training.Trainer(updater, stop_trigger, extensions=extensions)
