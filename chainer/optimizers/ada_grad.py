"""AdaGrad optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.001
_default_hyperparam.eps = 1e-8


class AdaGradRule(optimizer.UpdateRule):
    """Update rule of AdaGrad.

    Keeps the running sum ``h`` of squared gradients and scales each element's step by
    ``1 / (sqrt(h) + eps)``. See :class:`~chainer.optimizers.AdaGrad`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        eps: Small value for numerical stability.
    """

    is_elementwise = True
    _kernel = None

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, eps: float | None = None) -> None:
        super().__init__(
            _default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        _util.set_given(self.hyperparam, lr=lr, eps=eps)

    def init_state(self, param: Any) -> None:
        _util.zeros_state(self.state, param, 'h')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        eps = _util.cast_eps(hp.eps, dtype, 'AdaGrad')
        h = self.state['h']
        h += grad * grad
        denom = numpy.sqrt(h)
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
        _util.cast_eps(hp.eps, grad.dtype, 'AdaGrad')
        if AdaGradRule._kernel is None:
            AdaGradRule._kernel = cuda.elementwise(
                'T grad, T lr, T eps',
                'T param, T h',
                '''h += grad * grad;
                   param -= lr * grad / (sqrt(h) + eps);''',
                'adagrad')
        AdaGradRule._kernel(grad, hp.lr, hp.eps, param.array, self.state['h'])


class AdaGrad(optimizer.GradientMethod):
    """AdaGrad optimizer (Duchi et al., 2011).

    Args:
        lr: Learning rate.
        eps: Small value for numerical stability.
    """

    def __init__(self, lr: float = _default_hyperparam.lr,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.eps = eps

    lr = optimizer.HyperparameterProxy('lr')
    eps = optimizer.HyperparameterProxy('eps')

    def create_update_rule(self) -> AdaGradRule:
        return AdaGradRule(self.hyperparam)
