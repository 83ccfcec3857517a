"""Nesterov's accelerated gradient optimizer."""

from __future__ import annotations

from typing import Any

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


class NesterovAGRule(optimizer.UpdateRule):
    """Update rule of Nesterov's accelerated gradient.

    With velocity ``v``: ``v = momentum * v - lr * grad`` and
    ``param += momentum**2 * v - (1 + momentum) * lr * grad``.
    See :class:`~chainer.optimizers.NesterovAG`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    is_elementwise = True
    _kernel = None

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, momentum: float | None = None) -> None:
        super().__init__(
            _default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        _util.set_given(self.hyperparam, lr=lr, momentum=momentum)

    def init_state(self, param: Any) -> None:
        _util.zeros_state(self.state, param, 'v')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        lr, momentum = hp.lr, hp.momentum
        v = self.state['v']
        v *= dtype.type(momentum)
        v -= dtype.type(lr) * grad
        data = param.array
        data += dtype.type(momentum * momentum) * v
        data -= dtype.type((1 + momentum) * lr) * grad

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        if NesterovAGRule._kernel is None:
            NesterovAGRule._kernel = cuda.elementwise(
                'T grad, T lr, T momentum',
                'T param, T v',
                '''v = v * momentum - lr * grad;
                   param += momentum * momentum * v - (1 + momentum) * lr * grad;''',
                'nesterov_ag')
        NesterovAGRule._kernel(grad, hp.lr, hp.momentum, param.array, self.state['v'])


class NesterovAG(optimizer.GradientMethod):
    """Momentum SGD with Nesterov's accelerated gradient (Sutskever et al., 2013).

    Args:
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    def __init__(self, lr: float = _default_hyperparam.lr,
                 momentum: float = _default_hyperparam.momentum) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    lr = optimizer.HyperparameterProxy('lr')
    momentum = optimizer.HyperparameterProxy('momentum')

    def create_update_rule(self) -> NesterovAGRule:
        return NesterovAGRule(self.hyperparam)
