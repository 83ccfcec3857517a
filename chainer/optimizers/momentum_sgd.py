"""Classical momentum SGD."""
from __future__ import annotations


import numpy

from chainer import optimizer
from chainer.optimizers import _util


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


def _momentum_step_cpu(data, grad, v, tmp, momentum, lr) -> None:
    """In place: ``v = momentum * v - lr * grad; data += v`` (``tmp``: scratch or None)."""
    v *= momentum
    v -= numpy.multiply(grad, lr, out=tmp)
    data += v


class MomentumSGDRule(_util.VelocityRule):
    """Update rule of momentum SGD: ``v = momentum * v - lr * grad; param += v``.

    Args:
        parent_hyperparam: Hyperparameter to fall back to (default: MomentumSGD's defaults).
        lr: Learning rate.
        momentum: Exponential decay rate of the first-order moment.
    """

    default_hyperparam = _default_hyperparam
    gpu_code = 'v = momentum * v - lr * grad; param += v;'
    gpu_name = 'momentum_sgd'

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        return _util.scalars(self.hyperparameters('lr', 'momentum'), dtype)

    def step_cpu(self, data, grad, v, lr, momentum) -> None:
        if data.size >= _util.BLOCKED_SIZE and data.dtype == grad.dtype == v.dtype:
            _util.run_blocked(lambda a, s: _momentum_step_cpu(*a, *s, momentum, lr),
                              [data, grad, v], 1)
        else:
            _momentum_step_cpu(data, grad, v, None, momentum, lr)


class MomentumSGD(_util.VelocityOptimizer):
    """Momentum SGD.

    Args:
        lr: Learning rate.
        momentum: Exponential decay rate of the first-order moment.
    """

    rule_class = MomentumSGDRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 momentum: float = _default_hyperparam.momentum) -> None:
        super().__init__(lr, momentum)
