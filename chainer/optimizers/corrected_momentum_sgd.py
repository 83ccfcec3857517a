"""Momentum SGD with the learning rate applied after the momentum accumulation."""

from __future__ import annotations

from typing import Any

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


class CorrectedMomentumSGDRule(optimizer.UpdateRule):
    """Update rule of corrected momentum SGD.

    ``v = momentum * v - grad`` and ``param += lr * v``: the learning rate multiplies
    the whole velocity, so changing it mid-training rescales past momentum too.
    See :class:`~chainer.optimizers.CorrectedMomentumSGD`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    is_elementwise = True
    _kernel = None

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, momentum: float | None = None) -> None:
        super().__init__(
            _default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        _util.set_given(self.hyperparam, lr=lr, momentum=momentum)

    def init_state(self, param: Any) -> None:
        _util.zeros_state(self.state, param, 'v')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        dtype = grad.dtype
        v = self.state['v']
        v *= dtype.type(hp.momentum)
        v -= grad
        data = param.array
        data += dtype.type(hp.lr) * v

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        if CorrectedMomentumSGDRule._kernel is None:
            CorrectedMomentumSGDRule._kernel = cuda.elementwise(
                'T grad, T lr, T momentum',
                'T param, T v',
                '''v = momentum * v - grad;
                   param += lr * v;''',
                'corrected_momentum_sgd')
        CorrectedMomentumSGDRule._kernel(grad, hp.lr, hp.momentum, param.array,
                                         self.state['v'])


class CorrectedMomentumSGD(optimizer.GradientMethod):
    """Momentum SGD whose learning rate scales the accumulated velocity.

    Equivalent to :class:`~chainer.optimizers.MomentumSGD` while the learning rate is
    constant; corrects the effective step when it changes (Goyal et al., 2017).

    Args:
        lr: Learning rate.
        momentum: Exponential decay rate of the first order moment.
    """

    def __init__(self, lr: float = _default_hyperparam.lr,
                 momentum: float = _default_hyperparam.momentum) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    lr = optimizer.HyperparameterProxy('lr')
    momentum = optimizer.HyperparameterProxy('momentum')

    def create_update_rule(self) -> CorrectedMomentumSGDRule:
        return CorrectedMomentumSGDRule(self.hyperparam)
