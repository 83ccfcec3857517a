"""Classical momentum SGD."""
from __future__ import annotations

from typing import Optional

import numpy

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util


_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.01
_default_hyperparam.momentum = 0.9


# Elements per block of the CPU update of large parameters.
_CPU_BLOCK = 1 << 16


def _momentum_step_cpu(data, grad, v, tmp, momentum, lr) -> None:
    """In place: ``v = momentum * v - lr * grad; data += v`` (``tmp``: scratch or None)."""
    v *= momentum
    v -= numpy.multiply(grad, lr, out=tmp)
    data += v


class MomentumSGDRule(optimizer.UpdateRule):
    """Update rule of momentum SGD: ``v = momentum * v - lr * grad; param += v``.

    Args:
        parent_hyperparam: Hyperparameter to fall back to (default: MomentumSGD's defaults).
        lr: Learning rate.
        momentum: Exponential decay rate of the first-order moment.
    """

    is_elementwise = True

    def __init__(self, parent_hyperparam: Optional[optimizer.Hyperparameter] = None,
                 lr: Optional[float] = None, momentum: Optional[float] = None) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        _util.set_given(self.hyperparam, lr=lr, momentum=momentum)

    def init_state(self, param) -> None:
        _util.zeros_state(self.state, param, 'v')

    def update_core_cpu(self, param) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        data = param.array
        v = self.state['v']
        scalar = v.dtype.type
        momentum = scalar(hp.momentum)
        lr = scalar(hp.lr)
        size = data.size
        if size >= 2 * _CPU_BLOCK and data.flags.c_contiguous and \
                grad.flags.c_contiguous and v.flags.c_contiguous:
            # Block by block, so that the four passes run on cached data.
            data, grad, v = data.reshape(-1), grad.reshape(-1), v.reshape(-1)
            tmp = numpy.empty(_CPU_BLOCK, numpy.result_type(grad, lr))
            for start in range(0, size, _CPU_BLOCK):
                stop = min(start + _CPU_BLOCK, size)
                _momentum_step_cpu(data[start:stop], grad[start:stop], v[start:stop],
                                   tmp[:stop - start], momentum, lr)
        else:
            _momentum_step_cpu(data, grad, v, None, momentum, lr)

    def update_core_gpu(self, param) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        cuda.elementwise(
            'T grad, T lr, T momentum', 'T param, T v',
            'v = momentum * v - lr * grad; param += v;',
            'momentum_sgd')(grad, float(hp.lr), float(hp.momentum), param.array,
                            self.state['v'])


class MomentumSGD(optimizer.GradientMethod):
    """Momentum SGD.

    Args:
        lr: Learning rate.
        momentum: Exponential decay rate of the first-order moment.
    """

    def __init__(self, lr: float = _default_hyperparam.lr,
                 momentum: float = _default_hyperparam.momentum) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    lr = optimizer.HyperparameterProxy('lr')
    momentum = optimizer.HyperparameterProxy('momentum')

    def create_update_rule(self) -> MomentumSGDRule:
        return MomentumSGDRule(self.hyperparam)


