"""LinearShift: moves an optimizer hyperparameter linearly between two values."""
from __future__ import annotations

from typing import TYPE_CHECKING, Tuple

import numpy

from chainer.training.extensions import _shift_base
from chainer.utils.array import widen_scalar
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.optimizer import Optimizer


class LinearShift(_shift_base._ShiftBase):
    """Moves ``optimizer.<attr>`` linearly from ``v1`` to ``v2`` between calls ``t1`` and ``t2``.

    Args:
        attr (str): Name of the optimizer attribute.
        value_range (tuple): ``(v1, v2)``.
        time_range (tuple): ``(t1, t2)`` in calls of the extension.
        optimizer: Target optimizer; the updater's ``'main'`` when None.
    """

    def __init__(self, attr: str, value_range: Tuple[float, float], time_range: Tuple[int, int],
                 optimizer: Optimizer | None = None) -> None:
        super().__init__(attr, optimizer)
        for name, pair in (('value_range', value_range), ('time_range', time_range)):
            if len(pair) != 2:
                raise ValueError(f'{name} must be a pair (start, end), got {_repr(pair)}')
        t1, t2 = time_range
        if t2 < t1:
            raise ValueError(f'time_range must be increasing, got {_repr(time_range)}')
        self._value_range = value_range
        self._time_range = time_range

    def initialize(self, trainer: Trainer) -> None:
        optimizer = self._get_optimizer(trainer)
        value = (self._compute_next_value() if self._last_value is None
                 else self._last_value)
        self._update_value(optimizer, value)

    def __call__(self, trainer: Trainer) -> None:
        self._t += 1
        self._update_value(self._get_optimizer(trainer), self._compute_next_value())

    def _compute_next_value(self) -> float:
        t1, t2 = self._time_range
        v1, v2 = self._value_range
        if self._t <= t1:
            return v1
        if self._t >= t2:
            return v2
        rate = (self._t - t1) / (t2 - t1)
        # Two NumPy scalars subtract in their own dtype (NumPy 1 did too).
        both = isinstance(v1, numpy.generic) and isinstance(v2, numpy.generic)
        diff = v2 - v1 if both else widen_scalar(v2) - widen_scalar(v1)
        return widen_scalar(v1) + rate * widen_scalar(diff)
