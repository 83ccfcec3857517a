"""L1 regularization hook."""

from __future__ import annotations

from typing import Any

from chainer import backend
from chainer.backends import cuda


class Lasso:
    """Optimizer/update-rule hook adding L1 regularization: ``grad += rate * sign(param)``.

    Args:
        rate: Coefficient of the L1 regularization.

    Attributes:
        rate: Coefficient of the L1 regularization.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'Lasso'
    call_for_each_param = True
    timing = 'pre'

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def __call__(self, rule: Any, param: Any) -> None:
        p, g = param.array, param.grad
        if p is None or g is None:
            return
        rate = self.rate
        # Gradients are still multiplied by the loss scale when optimizer hooks run.
        if param._loss_scale is not None:
            rate *= param._loss_scale
        with backend.using_device(param.device):
            xp = param.device.xp
            if xp is cuda.cupy:
                kernel = cuda.elementwise(
                    'T p, T decay', 'T g',
                    'g += decay * (p > 0 ? (T)1 : (p < 0 ? (T)-1 : (T)0))', 'lasso')
                kernel(p, rate, g)
            else:
                sign = xp.sign(p)
                sign *= g.dtype.type(rate)
                g += sign
