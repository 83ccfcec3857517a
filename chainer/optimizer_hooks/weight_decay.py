"""L2 regularization hook."""

from __future__ import annotations

from chainer.optimizer_hooks._regularizer import _RegularizerHook


class WeightDecay(_RegularizerHook):
    """Optimizer/update-rule hook adding L2 regularization: ``grad += rate * param``.

    Args:
        rate: Coefficient of the weight decay.

    Attributes:
        rate: Coefficient of the weight decay.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'WeightDecay'
    _kernel_op = 'g += decay * p'
    _kernel_name = 'weight_decay'

    def _add_cpu(self, g, p, rate) -> None:
        g += rate * p
