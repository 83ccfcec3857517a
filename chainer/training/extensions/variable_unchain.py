"""unchain_variables: frees the graphs kept in the observation."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import configuration
from chainer import variable
from chainer.training import extension

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer


class unchain_variables(extension.Extension):  # NOQA: N801 (Chainer's name)
    """Unchains the Variables in ``trainer.observation`` from their graphs.

    Useful with ``chainer.config.keep_graph_on_report``: it runs after the
    other extensions of the iteration and lets the graphs be freed. As in
    Chainer, its trigger fires while the flag was on at the previous check
    (at :meth:`initialize` for the first iteration).
    """

    priority = 0

    def __init__(self) -> None:
        self._prev_flag: bool | None = None

    def initialize(self, trainer: Trainer) -> None:
        self._prev_flag = configuration.config.keep_graph_on_report

    def trigger(self, trainer: Trainer) -> bool:
        flag = self._prev_flag
        self._prev_flag = configuration.config.keep_graph_on_report
        return bool(flag)

    def __call__(self, trainer: Trainer) -> None:
        for value in trainer.observation.values():
            if isinstance(value, variable.Variable):
                value.unchain_backward()
