"""Nesterov's accelerated gradient optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


class NesterovAGRule(_util.VelocityRule):
    """Update rule of Nesterov's accelerated gradient.

    With velocity ``v``: ``v = momentum * v - lr * grad`` and
    ``param += momentum**2 * v - (1 + momentum) * lr * grad``.
    See :class:`~chainer.optimizers.NesterovAG`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    default_hyperparam = _default_hyperparam
    gpu_code = '''v = v * momentum - lr * grad;
                  param += momentum * momentum * v - (1 + momentum) * lr * grad;'''
    gpu_name = 'nesterov_ag'

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        lr, momentum = self.hyperparameters('lr', 'momentum')
        # momentum * momentum from the value as given: Chainer squared a NumPy
        # float32 momentum in float32 (while 1 + momentum was a float64 under NumPy 1).
        given = self.hyperparam.momentum
        scalar = dtype.type
        return (scalar(lr), scalar(momentum), scalar(given * given),
                scalar((1 + momentum) * lr))

    def step_cpu(self, data: Any, grad: Any, v: Any, lr: Any, momentum: Any,
                 momentum_squared: Any, lr_next: Any) -> None:
        v *= momentum
        v -= lr * grad
        data += momentum_squared * v
        data -= lr_next * grad


class NesterovAG(_util.VelocityOptimizer):
    """Momentum SGD with Nesterov's accelerated gradient (Sutskever et al., 2013).

    Args:
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    rule_class = NesterovAGRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 momentum: float = _default_hyperparam.momentum) -> None:
        super().__init__(lr, momentum)
