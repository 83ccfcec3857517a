"""observe_value / observe_lr: put a computed value into the observation."""
from __future__ import annotations

from typing import Any, Callable

from chainer.training import extension


def observe_value(observation_key: str, target_func: Callable[[Any], Any]) -> Callable:
    """Returns an extension storing ``target_func(trainer)`` as ``observation_key``.

    It runs once per epoch by default, with writer priority so that readers
    such as LogReport see the value.
    """
    @extension.make_extension(trigger=(1, 'epoch'), priority=extension.PRIORITY_WRITER)
    def _observe_value(trainer: Any) -> None:
        trainer.observation[observation_key] = target_func(trainer)
    return _observe_value


def observe_lr(optimizer_name: str = 'main', observation_key: str = 'lr') -> Callable:
    """Returns an extension observing the learning rate (``lr``) of an optimizer."""
    return observe_value(
        observation_key,
        lambda trainer: trainer.updater.get_optimizer(optimizer_name).lr)
