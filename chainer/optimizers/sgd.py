"""Stochastic gradient descent."""
from __future__ import annotations

from typing import Optional

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01


class SGDRule(optimizer.UpdateRule):
    """Update rule of vanilla SGD: ``param -= lr * grad``.

    Args:
        parent_hyperparam: Hyperparameter to fall back to (default: SGD's defaults).
        lr: Learning rate.
    """

    is_elementwise = True

    def __init__(self, parent_hyperparam: Optional[optimizer.Hyperparameter] = None,
                 lr: Optional[float] = None) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        _util.set_given(self.hyperparam, lr=lr)

    def update_core_cpu(self, param) -> None:
        grad = param.grad
        if grad is None:
            return
        data = param.array
        lr, = _util.cached_scalars(self, (_util.lookup(self.hyperparam, 'lr'),), data.dtype)
        data -= grad * lr

    def update_core_gpu(self, param) -> None:
        grad = param.grad
        if grad is None:
            return
        cuda.elementwise('T grad, T lr', 'T param', 'param -= lr * grad', 'sgd')(
            grad, float(self.hyperparam.lr), param.array)


class SGD(optimizer.GradientMethod):
    """Vanilla stochastic gradient descent.

    Args:
        lr: Learning rate.
    """

    def __init__(self, lr: float = _default_hyperparam.lr) -> None:
        super().__init__()
        self.hyperparam.lr = lr

    lr = optimizer.HyperparameterProxy('lr')

    def create_update_rule(self) -> SGDRule:
        return SGDRule(self.hyperparam)
