"""RMSprop optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.alpha = 0.99
_default_hyperparam.eps = 1e-8
_default_hyperparam.eps_inside_sqrt = False


class RMSpropRule(optimizer.UpdateRule):
    """Update rule of RMSprop.

    Keeps an exponential moving average ``ms`` of squared gradients and divides the step
    by its square root. See :class:`~chainer.optimizers.RMSprop`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        alpha: Decay rate of the moving average.
        eps: Small value for numerical stability.
        eps_inside_sqrt: Add ``eps`` inside the square root instead of after it.
    """

    is_elementwise = True
    _kernel = None
    _kernel_eps_inside_sqrt = None

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, alpha: float | None = None,
                 eps: float | None = None, eps_inside_sqrt: bool | None = None) -> None:
        super().__init__(
            _default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        _util.set_given(
            self.hyperparam, lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    def init_state(self, param: Any) -> None:
        _util.zeros_state(self.state, param, 'ms')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        eps = _util.cast_eps(hp.eps, dtype, 'RMSprop')
        ms = self.state['ms']
        ms *= dtype.type(hp.alpha)
        ms += dtype.type(1 - hp.alpha) * grad * grad
        if hp.eps_inside_sqrt:
            denom = ms + eps
            numpy.sqrt(denom, out=denom)
        else:
            denom = numpy.sqrt(ms)
            denom += eps
        step = grad * dtype.type(hp.lr)
        step /= denom
        data = param.array
        data -= step

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        _util.cast_eps(hp.eps, grad.dtype, 'RMSprop')
        if hp.eps_inside_sqrt:
            if RMSpropRule._kernel_eps_inside_sqrt is None:
                RMSpropRule._kernel_eps_inside_sqrt = cuda.elementwise(
                    'T grad, T lr, T alpha, T eps',
                    'T param, T ms',
                    '''ms = alpha * ms + (1 - alpha) * grad * grad;
                       param -= lr * grad / sqrt(ms + eps);''',
                    'rmsprop_eps_inside_sqrt')
            kernel = RMSpropRule._kernel_eps_inside_sqrt
        else:
            if RMSpropRule._kernel is None:
                RMSpropRule._kernel = cuda.elementwise(
                    'T grad, T lr, T alpha, T eps',
                    'T param, T ms',
                    '''ms = alpha * ms + (1 - alpha) * grad * grad;
                       param -= lr * grad / (sqrt(ms) + eps);''',
                    'rmsprop')
            kernel = RMSpropRule._kernel
        kernel(grad, hp.lr, hp.alpha, hp.eps, param.array, self.state['ms'])


class RMSprop(optimizer.GradientMethod):
    """RMSprop optimizer (Tieleman and Hinton, 2012).

    Args:
        lr: Learning rate.
        alpha: Exponential decay rate of the second-order moment.
        eps: Small value for numerical stability.
        eps_inside_sqrt: When True, computes ``sqrt(ms + eps)``; otherwise
            ``sqrt(ms) + eps``.
    """

    def __init__(self, lr: float = _default_hyperparam.lr,
                 alpha: float = _default_hyperparam.alpha,
                 eps: float = _default_hyperparam.eps,
                 eps_inside_sqrt: bool = _default_hyperparam.eps_inside_sqrt) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.alpha = alpha
        self.hyperparam.eps = eps
        self.hyperparam.eps_inside_sqrt = eps_inside_sqrt

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    eps = optimizer.HyperparameterProxy('eps')
    eps_inside_sqrt = optimizer.HyperparameterProxy('eps_inside_sqrt')

    def create_update_rule(self) -> RMSpropRule:
        return RMSpropRule(self.hyperparam)
