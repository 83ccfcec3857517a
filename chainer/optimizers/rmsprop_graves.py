"""Alex Graves's variant of RMSprop."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 1e-4
_default_hyperparam.alpha = 0.95
_default_hyperparam.momentum = 0.9
_default_hyperparam.eps = 1e-4


class RMSpropGravesRule(_util.ElementwiseRule):
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

    default_hyperparam = _default_hyperparam
    state_names = ('n', 'g', 'delta')
    gpu_scalars = 'lr, alpha, momentum, eps'
    gpu_state = 'avg_n, avg_g, delta'
    gpu_code = '''avg_n = alpha * avg_n + (1 - alpha) * grad * grad;
                  avg_g = alpha * avg_g + (1 - alpha) * grad;
                  delta = delta * momentum - lr * grad / sqrt(avg_n - avg_g * avg_g + eps);
                  param += delta;'''
    gpu_name = 'rmsprop_graves'

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, alpha: float | None = None,
                 momentum: float | None = None, eps: float | None = None) -> None:
        super().__init__(parent_hyperparam, lr=lr, alpha=alpha, momentum=momentum, eps=eps)

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        lr, alpha, momentum, eps = self.hyperparameters('lr', 'alpha', 'momentum', 'eps')
        return (dtype.type(lr), dtype.type(alpha), dtype.type(1 - alpha),
                dtype.type(momentum), dtype.type(eps))

    def step_cpu(self, data: Any, grad: Any, n: Any, g: Any, delta: Any, lr: Any,
                 alpha: Any, one_minus_alpha: Any, momentum: Any, eps: Any) -> None:
        n *= alpha
        n += one_minus_alpha * grad * grad
        g *= alpha
        g += one_minus_alpha * grad
        denom = g * g
        numpy.subtract(n, denom, out=denom)
        denom += eps
        numpy.sqrt(denom, out=denom)
        step = grad * lr
        step /= denom
        delta *= momentum
        delta -= step
        data += delta


class RMSpropGraves(_util.RuleOptimizer):
    """RMSprop as in Graves, "Generating Sequences With Recurrent Neural Networks" (2013).

    Args:
        lr: Learning rate.
        alpha: Exponential decay rate of the first and second order moments of the
            raw gradient.
        momentum: Exponential decay rate of the first order moment of the adjusted
            gradient.
        eps: Small value for numerical stability.
    """

    rule_class = RMSpropGravesRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 alpha: float = _default_hyperparam.alpha,
                 momentum: float = _default_hyperparam.momentum,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__(lr=lr, alpha=alpha, momentum=momentum, eps=eps)

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    momentum = optimizer.HyperparameterProxy('momentum')
    eps = optimizer.HyperparameterProxy('eps')
