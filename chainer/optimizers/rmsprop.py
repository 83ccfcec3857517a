"""RMSprop optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.alpha = 0.99
_default_hyperparam.eps = 1e-8
_default_hyperparam.eps_inside_sqrt = False


class RMSpropRule(_util.ElementwiseRule):
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

    default_hyperparam = _default_hyperparam
    state_names = ('ms',)
    gpu_scalars = 'lr, alpha, eps'

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, alpha: float | None = None,
                 eps: float | None = None, eps_inside_sqrt: bool | None = None) -> None:
        super().__init__(parent_hyperparam, lr=lr, alpha=alpha, eps=eps,
                         eps_inside_sqrt=eps_inside_sqrt)

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        lr, alpha, eps, inside = self.hyperparameters('lr', 'alpha', 'eps', 'eps_inside_sqrt')
        return (dtype.type(lr), dtype.type(alpha), dtype.type(1 - alpha),
                _util.cast_eps(eps, dtype, 'RMSprop'), bool(inside))

    def gpu_constants(self, dtype: numpy.dtype) -> tuple:
        lr, alpha, eps = self.hyperparameters('lr', 'alpha', 'eps')
        _util.cast_eps(eps, dtype, 'RMSprop')
        return lr, alpha, eps

    def gpu_source(self) -> tuple:
        if self.hyperparameters('eps_inside_sqrt')[0]:
            denom, name = 'sqrt(ms + eps)', 'rmsprop_eps_inside_sqrt'
        else:
            denom, name = '(sqrt(ms) + eps)', 'rmsprop'
        return (f'''ms = alpha * ms + (1 - alpha) * grad * grad;
                    param -= lr * grad / {denom};''', name)

    def step_cpu(self, data: Any, grad: Any, ms: Any, lr: Any, alpha: Any,
                 one_minus_alpha: Any, eps: Any, eps_inside_sqrt: bool) -> None:
        if data.size >= _util.BLOCKED_SIZE and data.dtype == grad.dtype == ms.dtype:
            constants = (lr, alpha, one_minus_alpha, eps, eps_inside_sqrt)
            _util.run_blocked(lambda a, s: _step(*a, *s, *constants), [grad, data, ms], 2)
        else:
            _step(grad, data, ms, None, None, lr, alpha, one_minus_alpha, eps, eps_inside_sqrt)


def _step(grad: Any, data: Any, ms: Any, denom: Any, step: Any, lr: Any, alpha: Any,
          one_minus_alpha: Any, eps: Any, eps_inside_sqrt: bool) -> None:
    """The RMSprop step in place (``denom`` and ``step``: scratch arrays or None)."""
    ms *= alpha
    sq = numpy.multiply(grad, one_minus_alpha, out=denom)
    sq *= grad
    ms += sq
    if eps_inside_sqrt:
        denom = numpy.add(ms, eps, out=sq)
        numpy.sqrt(denom, out=denom)
    else:
        denom = numpy.sqrt(ms, out=sq)
        denom += eps
    step = numpy.multiply(grad, lr, out=step)
    step /= denom
    data -= step


class RMSprop(_util.RuleOptimizer):
    """RMSprop optimizer (Tieleman and Hinton, 2012).

    Args:
        lr: Learning rate.
        alpha: Exponential decay rate of the second-order moment.
        eps: Small value for numerical stability.
        eps_inside_sqrt: When True, computes ``sqrt(ms + eps)``; otherwise
            ``sqrt(ms) + eps``.
    """

    rule_class = RMSpropRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 alpha: float = _default_hyperparam.alpha,
                 eps: float = _default_hyperparam.eps,
                 eps_inside_sqrt: bool = _default_hyperparam.eps_inside_sqrt) -> None:
        super().__init__(lr=lr, alpha=alpha, eps=eps, eps_inside_sqrt=eps_inside_sqrt)

    lr = optimizer.HyperparameterProxy('lr')
    alpha = optimizer.HyperparameterProxy('alpha')
    eps = optimizer.HyperparameterProxy('eps')
    eps_inside_sqrt = optimizer.HyperparameterProxy('eps_inside_sqrt')
