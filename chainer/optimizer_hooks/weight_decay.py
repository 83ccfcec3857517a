"""L2 regularization hook."""

from __future__ import annotations

from typing import Any

from chainer import backend
from chainer.backends import cuda


class WeightDecay:
    """Optimizer/update-rule hook adding L2 regularization: ``grad += rate * param``.

    Args:
        rate: Coefficient of the weight decay.

    Attributes:
        rate: Coefficient of the weight decay.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'WeightDecay'
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
            if param.device.xp is cuda.cupy:
                kernel = cuda.elementwise(
                    'T p, T decay', 'T g', 'g += decay * p', 'weight_decay')
                kernel(p, rate, g)
            else:
                g += g.dtype.type(rate) * p
