"""WarmupShift: ramps a hyperparameter linearly up to its value at the start of training."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.training.extensions import _shift_base
from chainer.utils.array import widen_scalar
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class WarmupShift(_shift_base._ShiftBase):
    """Ramps ``optimizer.<attr>`` linearly from ``warmup_start`` to ``init``.

    The ramp lasts ``warmup_iter`` calls.

    After the warm-up the attribute is left alone (other shifts may take over).

    Args:
        attr (str): Name of the optimizer attribute.
        warmup_start (float): Value at the start (the attribute's value
            before training when None).
        warmup_iter (int): Number of calls of the warm-up.
        init (float): Value reached at the end of the warm-up.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, warmup_start: float | None, warmup_iter: int, init: float,
                 optimizer: Optimizer | None = None) -> None:
        if warmup_iter <= 0:
            raise ValueError(f'warmup_iter must be positive, got {_repr(warmup_iter)}')
        super().__init__(attr, optimizer)
        self._warmup_start = warmup_start
        self._warmup_iter = warmup_iter
        self._init = init

    def _value(self, t: int) -> float:
        w = self._warmup_iter
        return (t * widen_scalar(self._init) + (w - t) * widen_scalar(self._warmup_start)) / w

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        if self._warmup_start is None:
            self._warmup_start = getattr(optimizer, self._attr)
        # A resumed run continues from its step of the ramp (Chainer went back
        # to warmup_start, and stayed there when the ramp was over).
        self._update_value(optimizer, self._value(min(self._t, self._warmup_iter)))

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        if self._t <= self._warmup_iter:
            self._update_value(self._get_optimizer(trainer), self._value(self._t))

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the call count ``_t`` (the value follows from it)."""
        t = int(serializer('_t', self._t))
        if not getattr(serializer, 'checking', False):
            self._t = t
