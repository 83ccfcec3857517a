"""MultistepShift: multiplies a hyperparameter by ``gamma`` at given steps."""
from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from chainer.training import extension
from chainer.utils.array import widen_scalar

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class MultistepShift(extension.Extension):
    """Sets ``optimizer.<attr>`` to ``init * gamma ** k`` after the k-th of ``step_value``.

    Args:
        attr (str): Name of the optimizer attribute.
        gamma (float): Factor applied at each step.
        step_value (list of int): Call counts where the value changes.
        init (float): Initial value; the attribute's value when None.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, gamma: float, step_value: Sequence[int], init: float | None,
                 optimizer: Optimizer | None = None) -> None:
        self._attr = attr
        self._gamma = gamma
        self._step_value = list(step_value)
        self._init = init
        self._optimizer = optimizer
        self._stepvalue_size = len(self._step_value)
        self._current_step = 0
        self._t = 0

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._optimizer or trainer.updater.get_optimizer('main')
        if self._init is None:
            self._init = getattr(optimizer, self._attr)
        # A resumed run goes on at the value of its step (Chainer went back to
        # init, so the first update after a resume used it).
        setattr(optimizer, self._attr, self._value() if self._current_step else self._init)

    def _value(self) -> float:
        return widen_scalar(self._init) * pow(widen_scalar(self._gamma), self._current_step)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._optimizer or trainer.updater.get_optimizer('main')
        if (self._current_step < self._stepvalue_size
                and self._t >= self._step_value[self._current_step]):
            self._current_step += 1
        setattr(optimizer, self._attr, self._value())

    def serialize(self, serializer: AbstractSerializer) -> None:
        self._t = int(serializer('_t', self._t))
        self._current_step = int(serializer('_current_step', self._current_step))
