"""unchain_variables: frees the graphs kept in the observation."""
from __future__ import annotations

from typing import Any

from chainer import variable
from chainer.training import extension


class unchain_variables(extension.Extension):  # NOQA: N801 (Chainer's name)
    """Unchains the Variables in ``trainer.observation`` from their graphs.

    Useful with ``chainer.config.keep_graph_on_report``: it runs after the
    other extensions of the iteration and lets the graphs be freed.
    """

    trigger = 1, 'iteration'
    priority = 0

    def __call__(self, trainer: Any) -> None:
        for value in trainer.observation.values():
            if isinstance(value, variable.Variable):
                value.unchain_backward()
