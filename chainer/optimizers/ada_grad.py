"""AdaGrad optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.001
_default_hyperparam.eps = 1e-8


class AdaGradRule(_util.LrEpsRule):
    """Update rule of AdaGrad.

    Keeps the running sum ``h`` of squared gradients and scales each element's step by
    ``1 / (sqrt(h) + eps)``. See :class:`~chainer.optimizers.AdaGrad`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        eps: Small value for numerical stability.
    """

    default_hyperparam = _default_hyperparam
    state_names = ('h',)
    gpu_code = '''h += grad * grad;
                  param -= lr * grad / (sqrt(h) + eps);'''
    gpu_name = 'adagrad'

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        lr, eps = self.hyperparameters('lr', 'eps')
        return dtype.type(lr), _util.nonvanishing_eps(eps, dtype)

    def gpu_constants(self, dtype: numpy.dtype) -> tuple:
        lr, eps = self.hyperparameters('lr', 'eps')
        return lr, float(_util.nonvanishing_eps(eps, dtype))

    def step_cpu(self, data: Any, grad: Any, h: Any, lr: Any, eps: Any) -> None:
        if data.size >= _util.BLOCKED_SIZE and data.dtype == grad.dtype == h.dtype:
            _util.run_blocked(lambda a, s: _step(*a, *s, lr, eps), [grad, data, h], 2)
        else:
            _step(grad, data, h, None, None, lr, eps)


def _step(grad: Any, data: Any, h: Any, denom: Any, step: Any, lr: Any, eps: Any) -> None:
    """The AdaGrad step in place (``denom`` and ``step``: scratch arrays or None)."""
    h += numpy.multiply(grad, grad, out=denom)
    denom = numpy.sqrt(h, out=denom)
    denom += eps
    step = numpy.multiply(grad, lr, out=step)
    step /= denom
    data -= step


class AdaGrad(_util.LrEpsOptimizer):
    """AdaGrad optimizer (Duchi et al., 2011).

    Args:
        lr: Learning rate.
        eps: Small value for numerical stability.
    """

    rule_class = AdaGradRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__(lr, eps)
