"""Momentum SGD with the learning rate applied after the momentum accumulation."""

from __future__ import annotations

from typing import Any

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


class CorrectedMomentumSGDRule(_util.VelocityRule):
    """Update rule of corrected momentum SGD.

    ``v = momentum * v - grad`` and ``param += lr * v``: the learning rate multiplies
    the whole velocity, so changing it mid-training rescales past momentum too.
    See :class:`~chainer.optimizers.CorrectedMomentumSGD`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    default_hyperparam = _default_hyperparam
    gpu_code = '''v = momentum * v - grad;
                  param += lr * v;'''
    gpu_name = 'corrected_momentum_sgd'

    def step_cpu(self, data: Any, grad: Any, v: Any, lr: float, momentum: float) -> None:
        scalar = grad.dtype.type
        v *= scalar(momentum)
        v -= grad
        data += scalar(lr) * v


class CorrectedMomentumSGD(_util.VelocityOptimizer):
    """Momentum SGD whose learning rate scales the accumulated velocity.

    Equivalent to :class:`~chainer.optimizers.MomentumSGD` while the learning rate is
    constant; corrects the effective step when it changes (Goyal et al., 2017).

    Args:
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    rule_class = CorrectedMomentumSGDRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 momentum: float = _default_hyperparam.momentum) -> None:
        super().__init__(lr, momentum)
