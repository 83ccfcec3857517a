"""ExponentialShift: multiplies an optimizer hyperparameter by ``rate`` at each call."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.training.extensions import _shift_base
from chainer.utils.array import widen_scalar

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class ExponentialShift(_shift_base._InitShiftBase):
    """Sets ``optimizer.<attr>`` to ``init * rate ** t`` at its t-th call.

    Args:
        attr (str): Name of the optimizer attribute (e.g. ``'lr'``).
        rate (float): Factor per call (non-negative).
        init (float): Initial value; the attribute's value when None.
        target (float): Value where the shift stops.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, rate: float, init: float | None = None,
                 target: float | None = None, optimizer: Optimizer | None = None) -> None:
        if rate < 0:
            raise ValueError('ExponentialShift does not support negative rate')
        super().__init__(attr, optimizer)
        self._rate = rate
        self._init = init
        self._target = target

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        optimizer = self._get_optimizer(trainer)
        value = widen_scalar(self._init) * (widen_scalar(self._rate) ** self._t)
        value = _shift_base._clip_to_target(value, self._target, self._rate > 1)
        self._update_value(optimizer, value)
