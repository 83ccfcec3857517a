"""AdaDelta optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.rho = 0.95
_default_hyperparam.eps = 1e-6


class AdaDeltaRule(optimizer.UpdateRule):
    """Update rule of AdaDelta.

    Keeps moving averages of squared gradients (``msg``) and of squared updates
    (``msdx``); the step is ``sqrt((msdx + eps) / (msg + eps)) * grad``.
    See :class:`~chainer.optimizers.AdaDelta`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        rho: Exponential decay rate of the moving averages.
        eps: Small value for numerical stability.
    """

    is_elementwise = True
    _kernel = None

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 rho: float | None = None, eps: float | None = None) -> None:
        super().__init__(
            _default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        _util.set_given(self.hyperparam, rho=rho, eps=eps)

    def init_state(self, param: Any) -> None:
        _util.zeros_state(self.state, param, 'msg', 'msdx')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        rho = dtype.type(hp.rho)
        one_minus_rho = dtype.type(1 - hp.rho)
        eps = dtype.type(hp.eps)
        msg, msdx = self.state['msg'], self.state['msdx']
        msg *= rho
        msg += one_minus_rho * grad * grad
        dx = msdx + eps
        dx /= msg + eps
        numpy.sqrt(dx, out=dx)
        dx *= grad
        msdx *= rho
        msdx += one_minus_rho * dx * dx
        data = param.array
        data -= dx

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        if AdaDeltaRule._kernel is None:
            AdaDeltaRule._kernel = cuda.elementwise(
                'T grad, T one_minus_rho, T eps',
                'T param, T msg, T msdx',
                '''msg = msg + one_minus_rho * (grad * grad - msg);
                   T dx = sqrt((msdx + eps) / (msg + eps)) * grad;
                   msdx += one_minus_rho * (dx * dx - msdx);
                   param -= dx;''',
                'adadelta')
        AdaDeltaRule._kernel(grad, 1 - hp.rho, hp.eps, param.array,
                             self.state['msg'], self.state['msdx'])


class AdaDelta(optimizer.GradientMethod):
    """AdaDelta optimizer (Zeiler, 2012).

    Args:
        rho: Exponential decay rate of the first and second order moments.
        eps: Small value for numerical stability.
    """

    def __init__(self, rho: float = _default_hyperparam.rho,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__()
        self.hyperparam.rho = rho
        self.hyperparam.eps = eps

    rho = optimizer.HyperparameterProxy('rho')
    eps = optimizer.HyperparameterProxy('eps')

    def create_update_rule(self) -> AdaDeltaRule:
        return AdaDeltaRule(self.hyperparam)
