"""AdaDelta optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.rho = 0.95
_default_hyperparam.eps = 1e-6


class AdaDeltaRule(_util.ElementwiseRule):
    """Update rule of AdaDelta.

    Keeps moving averages of squared gradients (``msg``) and of squared updates
    (``msdx``); the step is ``sqrt((msdx + eps) / (msg + eps)) * grad``.
    See :class:`~chainer.optimizers.AdaDelta`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        rho: Exponential decay rate of the moving averages.
        eps: Small value for numerical stability.
    """

    default_hyperparam = _default_hyperparam
    state_names = ('msg', 'msdx')
    gpu_scalars = 'one_minus_rho, eps'
    gpu_code = '''msg = msg + one_minus_rho * (grad * grad - msg);
                  T dx = sqrt((msdx + eps) / (msg + eps)) * grad;
                  msdx += one_minus_rho * (dx * dx - msdx);
                  param -= dx;'''
    gpu_name = 'adadelta'

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 rho: float | None = None, eps: float | None = None) -> None:
        super().__init__(parent_hyperparam, rho=rho, eps=eps)

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        rho, eps = self.hyperparameters('rho', 'eps')
        return dtype.type(rho), dtype.type(1 - rho), dtype.type(eps)

    def gpu_constants(self, dtype: numpy.dtype) -> tuple:
        rho, eps = self.hyperparameters('rho', 'eps')
        return 1 - rho, eps

    def step_cpu(self, data: Any, grad: Any, msg: Any, msdx: Any, rho: Any,
                 one_minus_rho: Any, eps: Any) -> None:
        msg *= rho
        msg += one_minus_rho * grad * grad
        dx = msdx + eps
        dx /= msg + eps
        numpy.sqrt(dx, out=dx)
        dx *= grad
        msdx *= rho
        msdx += one_minus_rho * dx * dx
        data -= dx


class AdaDelta(_util.RuleOptimizer):
    """AdaDelta optimizer (Zeiler, 2012).

    Args:
        rho: Exponential decay rate of the first and second order moments.
        eps: Small value for numerical stability.
    """

    rule_class = AdaDeltaRule

    def __init__(self, rho: float = _default_hyperparam.rho,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__(rho=rho, eps=eps)

    rho = optimizer.HyperparameterProxy('rho')
    eps = optimizer.HyperparameterProxy('eps')
