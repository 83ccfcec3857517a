"""L1 regularization hook."""

from __future__ import annotations

from chainer import backend
from chainer.optimizer_hooks._regularizer import _RegularizerHook


class Lasso(_RegularizerHook):
    """Optimizer/update-rule hook adding L1 regularization: ``grad += rate * sign(param)``.

    Args:
        rate: Coefficient of the L1 regularization.

    Attributes:
        rate: Coefficient of the L1 regularization.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'Lasso'
    _kernel_op = 'g += decay * (p > 0 ? (T)1 : (p < 0 ? (T)-1 : (T)0))'
    _kernel_name = 'lasso'

    def _add_cpu(self, g, p, rate) -> None:
        sign = backend.get_array_module(p).sign(p)
        sign *= rate
        g += sign
