"""PolynomialShift: ``init * (1 - t / max_count) ** rate`` schedules."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

from chainer.training.extensions import _shift_base
from chainer.utils.array import widen_scalar
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class PolynomialShift(_shift_base._InitShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * max(1 - t / max_count, 0) ** rate`` at call t.

    Args:
        attr (str): Name of the optimizer attribute.
        rate (float): Exponent of the polynomial.
        max_count (int): Number of calls until the value reaches zero.
        init (float): Initial value; the attribute's value when None.
        target (float): Value where the shift stops.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    invoke_before_training = True  # a v1 flag Chainer's class kept (the trainer ignores it)

    def __init__(self, attr: str, rate: float, max_count: int, init: float | None = None,
                 target: float | None = None, optimizer: Optimizer | None = None) -> None:
        if not isinstance(max_count, numbers.Real) or isinstance(max_count, bool):
            raise TypeError('max_count must be the number of calls (an int), got '
                            f'{_repr(max_count)}; the trigger of the extension sets its unit')
        if max_count <= 0:
            raise ValueError(f'max_count must be positive, got {_repr(max_count)}')
        super().__init__(attr, optimizer)
        self._rate = rate
        self._max_count = max_count
        self._init = init
        self._target = target

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        decay = max(1 - self._t / self._max_count, 0)
        value = widen_scalar(self._init) * decay ** widen_scalar(self._rate)
        if self._target is not None:
            # A decaying schedule (rate > 0) stops at target from above, a
            # growing one from below; ratios keep negative values working.
            if value == 0:
                value = self._target
            elif self._rate > 0:
                if self._target / value > 1:
                    value = self._target
            elif self._target / value < 1:
                value = self._target
        self._update_value(optimizer, value)
