"""Nesterov's accelerated gradient optimizer."""

from __future__ import annotations

from typing import Any

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

    def step_cpu(self, data: Any, grad: Any, v: Any, lr: float, momentum: float) -> None:
        scalar = grad.dtype.type
        v *= scalar(momentum)
        v -= scalar(lr) * grad
        data += scalar(momentum * momentum) * v
        data -= scalar((1 + momentum) * lr) * grad


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
