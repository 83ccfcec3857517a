"""Alex Graves's variant of RMSprop."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 1e-4
_default_hyperparam.alpha = 0.95
_default_hyperparam.momentum = 0.9
_default_hyperparam.eps = 1e-4


class RMSpropGravesRule(optimizer.UpdateRule):
    """Update rule of Graves's RMSprop.

    Keeps moving averages of the squared gradient (``n``) and of the gradient (``g``),
    and a momentum buffer ``delta``:
    ``delta = momentum * delta - lr * grad / sqrt(n - g**2 + eps)``; ``param += delta``.
    See :class:`~chainer.optimizers.RMSpropGraves`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        alpha: Decay rate of the moving averages.
        momentum: Exponential decay rate of the first order moment.
        eps: Small value for numerical stability.
    """

    is_elementwise = True
    _kernel = None

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, alpha: float | None = None,
                 momentum: float | None = None, eps: float | None = None) -> None:
        super().__init__(
            _default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        _util.set_given(self.hyperparam, lr=lr, alpha=alpha, momentum=momentum, eps=eps)

    def init_state(self, param: Any) -> None:
        _util.zeros_state(self.state, param, 'n', 'g', 'delta')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        alpha = dtype.type(hp.alpha)
        one_minus_alpha = dtype.type(1 - hp.alpha)
        n, g, delta = self.state['n'], self.state['g'], self.state['delta']
        n *= alpha
        n += one_minus_alpha * grad * grad
        g *= alpha
        g += one_minus_alpha * grad
        denom = g * g
        numpy.subtract(n, denom, out=denom)
        denom += dtype.type(hp.eps)
        numpy.sqrt(denom, out=denom)
        step = grad * dtype.type(hp.lr)
        step /= denom
        delta *= dtype.type(hp.momentum)
        delta -= step
        data = param.array
        data += delta

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        if RMSpropGravesRule._kernel is None:
            RMSpropGravesRule._kernel = cuda.elementwise(
                'T grad, T lr, T alpha, T momentum, T eps',
                'T param, T avg_n, T avg_g, T delta',
                '''avg_n = alpha * avg_n + (1 - alpha) * grad * grad;
                   avg_g = alpha * avg_g + (1 - alpha) * grad;
                   delta = delta * momentum
                       - lr * grad / sqrt(avg_n - avg_g * avg_g + eps);
                   param += delta;''',
                'rmsprop_graves')
        RMSpropGravesRule._kernel(
            grad, hp.lr, hp.alpha, hp.momentum, hp.eps, param.array,
            self.state['n'], self.state['g'], self.state['delta'])


class RMSpropGraves(optimizer.GradientMethod):
    """RMSprop as in Graves, "Generating Sequences With Recurrent Neural Networks" (2013).

    Args:
        lr: Learning rate.
        alpha: Exponential decay rate of the first and second order moments of the
            raw gradient.
        momentum: Exponential decay rate of the first order moment of the adjusted
            gradient.
        eps: Small value for numerical stability.
    """

    def __init__(self, lr: float = _default_hyperparam.lr,
                 alpha: float = _default_hyperparam.alpha,
                 momentum: float = _default_hyperparam.momentum,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.momentum = momentum
        self.hyperparam.eps = eps

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    momentum = optimizer.HyperparameterProxy('momentum')
    eps = optimizer.HyperparameterProxy('eps')

    def create_update_rule(self) -> RMSpropGravesRule:
        return RMSpropGravesRule(self.hyperparam)
