"""StepShift: multiplies a hyperparameter by ``gamma`` every ``step`` calls."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.training.extensions import _shift_base
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class StepShift(_shift_base._InitShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * gamma ** floor(t / step)`` at call t.

    Args:
        attr (str): Name of the optimizer attribute.
        gamma (float): Factor per step.
        step (int): Calls per step.
        init (float): Initial value; the attribute's value when None.
        target (float): Value where the shift stops.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, gamma: float, step: int, init: float | None = None,
                 target: float | None = None, optimizer: Optimizer | None = None) -> None:
        if step <= 0:
            raise ValueError(f'step must be positive, got {_repr(step)}')
        super().__init__(attr, optimizer)
        self._gamma = gamma
        self._step = step
        self._init = init
        self._target = target

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        # numpy.floor makes the value a numpy.float64, as Chainer's was.
        value = self._init * self._gamma ** numpy.floor(self._t / self._step)
        value = _shift_base._clip_to_target(value, self._target, self._gamma > 1)
        self._update_value(optimizer, value)
