"""Shared body of the per-parameter regularization hooks (WeightDecay, Lasso)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer.backends import cuda
from chainer.utils.array import widen_scalar
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from chainer.optimizer import UpdateRule
    from chainer.variable import Parameter


class _RegularizerHook:
    """Adds ``rate * penalty'(param)`` to each parameter's gradient.

    Subclasses give the CUDA expression (``_kernel_op``) and the NumPy one
    (``_add_cpu``).
    """

    call_for_each_param = True
    timing = 'pre'
    _kernel_op = ''
    _kernel_name = ''

    def __init__(self, rate: float) -> None:
        self.rate = rate

    def _add_cpu(self, g, p, rate) -> None:
        raise NotImplementedError

    def __call__(self, rule: UpdateRule, param: Parameter) -> None:
        p, g = param.array, param.grad
        if p is None or g is None:
            return
        rate = self.rate
        if rate is None or isinstance(rate, (str, bytes)):
            # The float conversion below would turn None into NaN gradients
            # silently; Chainer's arithmetic raised TypeError.
            raise TypeError(f'{type(self).__name__} rate must be a number, got {_repr(rate)}')
        # Gradients are still multiplied by the loss scale when optimizer hooks run.
        if param._loss_scale is not None:
            rate = widen_scalar(rate) * param._loss_scale
        device = param.device
        if device.xp is cuda.cupy:
            with backend.using_device(device):
                kernel = cuda.elementwise(
                    'T p, T decay', 'T g', self._kernel_op, self._kernel_name)
                kernel(p, rate, g)
        else:
            self._add_cpu(g, p, g.dtype.type(rate))
