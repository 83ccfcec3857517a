"""SMORMS3 optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import backend
from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.001
_default_hyperparam.eps = 1e-16


class SMORMS3Rule(_util.LrEpsRule):
    """Update rule of SMORMS3 (Simon Funk's "squared mean over root mean squared cubed").

    State: ``mem`` (starts at one), and moving averages ``g`` and ``g2`` of the gradient
    and its square whose decay ``r = 1 / (mem + 1)`` adapts per element.
    See :class:`~chainer.optimizers.SMORMS3`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        eps: Small value for numerical stability.
    """

    default_hyperparam = _default_hyperparam
    state_names = ('mem', 'g', 'g2')
    gpu_code = '''T r = 1 / (mem + 1);
                  g = (1 - r) * g + r * grad;
                  g2 = (1 - r) * g2 + r * grad * grad;
                  T x = g * g / (g2 + eps);
                  param -= grad * (x < lr ? x : lr) / (sqrt(g2) + eps);
                  mem = 1 + mem * (1 - x);'''
    gpu_name = 'smorms3'

    def init_state(self, param: Any) -> None:
        with backend.using_device(param.device):
            self.state['mem'] = param.device.xp.ones_like(param.array)
        _util.zeros_state(self.state, param, 'g', 'g2')

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        return tuple([dtype.type(v) for v in self.hyperparameters('lr', 'eps')])

    def step_cpu(self, data: Any, grad: Any, mem: Any, g: Any, g2: Any, lr: Any,
                 eps: Any) -> None:
        r = mem + 1
        numpy.reciprocal(r, out=r)
        keep = 1 - r
        g *= keep
        g += r * grad
        g2 *= keep
        r *= grad
        r *= grad
        g2 += r
        x = g * g
        denom = g2 + eps
        x /= denom
        numpy.sqrt(g2, out=denom)
        denom += eps
        step = numpy.minimum(x, lr)
        step *= grad
        step /= denom
        data -= step
        numpy.subtract(1, x, out=x)
        mem *= x
        mem += 1


class SMORMS3(_util.LrEpsOptimizer):
    """Simon Funk's SMORMS3 optimizer.

    Args:
        lr: Learning rate.
        eps: Small value for numerical stability.
    """

    rule_class = SMORMS3Rule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 eps: float = _default_hyperparam.eps) -> None:
        super().__init__(lr, eps)
