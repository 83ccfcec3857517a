"""InverseShift: ``init * (1 + gamma * t) ** (-power)`` schedules."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.training.extensions import _shift_base
from chainer.utils.array import widen_scalar

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class InverseShift(_shift_base._InitShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * (1 + gamma * t) ** (-power)`` at its t-th call.

    Args:
        attr (str): Name of the optimizer attribute.
        gamma (float): Non-negative factor of ``t``.
        power (float): Exponent.
        init (float): Initial value; the attribute's value when None.
        target (float): Value where the shift stops.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, gamma: float, power: float, init: float | None = None,
                 target: float | None = None, optimizer: Optimizer | None = None) -> None:
        if gamma < 0:
            raise ValueError('InverseShift does not support negative gamma')
        super().__init__(attr, optimizer)
        self._gamma = gamma
        self._power = power
        self._init = init
        self._target = target

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        gamma, power = widen_scalar(self._gamma), widen_scalar(self._power)
        value = widen_scalar(self._init) * (1 + gamma * self._t) ** (-power)
        value = _shift_base._clip_to_target(value, self._target, self._power < 0)
        self._update_value(optimizer, value)
