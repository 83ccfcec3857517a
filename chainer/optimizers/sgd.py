"""Stochastic gradient descent."""
from __future__ import annotations

from typing import Optional

import numpy

from chainer import optimizer
from chainer.optimizers import _util


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01


class SGDRule(_util.ElementwiseRule):
    """Update rule of vanilla SGD: ``param -= lr * grad``.

    Args:
        parent_hyperparam: Hyperparameter to fall back to (default: SGD's defaults).
        lr: Learning rate.
    """

    default_hyperparam = _default_hyperparam
    gpu_scalars = 'lr'
    gpu_code = 'param -= lr * grad'
    gpu_name = 'sgd'

    def __init__(self, parent_hyperparam: Optional[optimizer.Hyperparameter] = None,
                 lr: Optional[float] = None) -> None:
        super().__init__(parent_hyperparam, lr=lr)

    def cpu_constants(self, dtype) -> tuple:
        return _util.scalars(self.hyperparameters('lr'), dtype)

    def update_core_cpu(self, param) -> None:
        # The CPU step written here rather than in step_cpu: SGD's step is too
        # small to hide the base's extra call.
        grad = param.grad
        if grad is None:
            return
        data = param.array
        lr = _util.constants(self, _util.ElementwiseRule._cpu, grad.dtype)[0]
        if data.size >= _util.BLOCKED_SIZE and data.dtype == grad.dtype:
            _util.run_blocked(lambda a, s: _step(*a, *s, lr), [data, grad], 1)
        else:
            data -= grad * lr


def _step(data, grad, tmp, lr) -> None:
    data -= numpy.multiply(grad, lr, out=tmp)


class SGD(_util.RuleOptimizer):
    """Vanilla stochastic gradient descent.

    Args:
        lr: Learning rate.
    """

    rule_class = SGDRule

    def __init__(self, lr: float = _default_hyperparam.lr) -> None:
        super().__init__(lr=lr)

    lr = optimizer.HyperparameterProxy('lr')
