"""SMORMS3 optimizer."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import backend
from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.001
_default_hyperparam.eps = 1e-16


class SMORMS3Rule(optimizer.UpdateRule):
    """Update rule of SMORMS3 (Simon Funk's "squared mean over root mean squared cubed").

    State: ``mem`` (starts at one), and moving averages ``g`` and ``g2`` of the gradient
    and its square whose decay ``r = 1 / (mem + 1)`` adapts per element.
    See :class:`~chainer.optimizers.SMORMS3`.

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
        with backend.using_device(param.device):
            self.state['mem'] = param.device.xp.ones_like(param.array)
        _util.zeros_state(self.state, param, 'g', 'g2')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        eps = dtype.type(hp.eps)
        lr = dtype.type(hp.lr)
        mem, g, g2 = self.state['mem'], self.state['g'], self.state['g2']
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
        data = param.array
        data -= step
        numpy.subtract(1, x, out=x)
        mem *= x
        mem += 1

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        if SMORMS3Rule._kernel is None:
            SMORMS3Rule._kernel = cuda.elementwise(
                'T grad, T lr, T eps',
                'T param, T mem, T g, T g2',
                '''T r = 1 / (mem + 1);
                   g = (1 - r) * g + r * grad;
                   g2 = (1 - r) * g2 + r * grad * grad;
                   T x = g * g / (g2 + eps);
                   param -= grad * (x < lr ? x : lr) / (sqrt(g2) + eps);
                   mem = 1 + mem * (1 - x);''',
                'smorms3')
        SMORMS3Rule._kernel(grad, hp.lr, hp.eps, param.array,
                            self.state['mem'], self.state['g'], self.state['g2'])


class SMORMS3(optimizer.GradientMethod):
    """Simon Funk's SMORMS3 optimizer.

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

    def create_update_rule(self) -> SMORMS3Rule:
        return SMORMS3Rule(self.hyperparam)
