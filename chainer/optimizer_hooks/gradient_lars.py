"""Layer-wise adaptive rate scaling (LARS) hook (You et al., 2017)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer.backends import cuda
from chainer.utils.array import widen_scalar

if TYPE_CHECKING:
    from chainer.optimizer import UpdateRule
    from chainer.variable import Parameter


class GradientLARS:
    """Optimizer/update-rule hook scaling each parameter's gradient by a local rate.

    With ``w`` the parameter and ``g`` its gradient, the gradient becomes
    ``(g + weight_decay * w) * local_rate`` where
    ``local_rate = ||w|| / (||g|| + weight_decay * ||w|| + eps)`` when
    ``||w|| > threshold``, and the local rate is 1 otherwise.

    Args:
        threshold: Weight norm above which the local rate is applied.
        weight_decay: Coefficient of the weight decay.
        eps: Small value for numerical stability.

    Attributes:
        threshold: Weight norm above which the local rate is applied.
        weight_decay: Coefficient of the weight decay.
        eps: Small value for numerical stability.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'GradientLARS'
    call_for_each_param = True
    timing = 'pre'

    def __init__(self, threshold: float = 1e-2, weight_decay: float = 0.0,
                 eps: float = 1e-9) -> None:
        self.threshold = threshold
        self.weight_decay = weight_decay
        self.eps = eps

    def __call__(self, rule: UpdateRule, param: Parameter) -> None:
        p, g = param.array, param.grad
        if p is None or g is None:
            return
        loss_scale = param._loss_scale
        with backend.using_device(param.device):
            xp = param.device.xp
            decay = self.weight_decay
            if loss_scale is not None:
                decay *= loss_scale
            if xp is cuda.cupy:
                # The norms and the rate in float64 and the rate applied as on the
                # CPU below (a float16 eps vanished, and 0 * inf made NaN).
                p_norm = xp.linalg.norm(p).astype(numpy.float64)
                g_norm = xp.linalg.norm(g).astype(numpy.float64)
                # Gradients are still multiplied by the loss scale when optimizer hooks
                # run; the rate is computed from the true gradient norm.
                if loss_scale is not None:
                    g_norm = g_norm / loss_scale
                eps, decay_rate = widen_scalar(self.eps), widen_scalar(self.weight_decay)
                local_rate = p_norm / (eps + g_norm + decay_rate * p_norm)
                rate = xp.where(p_norm > self.threshold, local_rate, 1.0)
                kernel = cuda.elementwise(
                    'T p, float64 rate, T weight_decay, float64 max_rate', 'T g',
                    '''g += weight_decay * p;
                    double r = rate;
                    if (!(fabs(r) > max_rate)) r = static_cast<double>(static_cast<T>(r));
                    g = static_cast<T>(static_cast<double>(g) * r);''', 'lars')
                kernel(p, rate, decay, float(numpy.finfo(g.dtype).max), g)
                return
            # On the CPU the norms and the rate are float64 scalars, as NumPy 1 computed
            # Chainer's scalars (a float16 or float32 norm plus eps was a float64),
            # so that eps does not vanish for a float16 gradient of zeros.
            p_norm = float(numpy.linalg.norm(p))
            g_norm = float(numpy.linalg.norm(g))
            if loss_scale is not None:
                g_norm = g_norm / loss_scale
            rate = 1.0
            if p_norm > self.threshold:
                eps, decay_rate = widen_scalar(self.eps), widen_scalar(self.weight_decay)
                rate = p_norm / (eps + g_norm + decay_rate * p_norm)
            # As in Chainer, also when the decay is 0 (a NaN parameter gives a NaN
            # gradient).
            g += g.dtype.type(decay) * p
            if not abs(rate) > float(numpy.finfo(g.dtype).max):
                g *= g.dtype.type(rate)
            else:
                # A rate beyond the dtype's range: NumPy 1 multiplied in a wider
                # type, so zero gradients stay zero (float16 would give 0 * inf).
                numpy.multiply(g, numpy.float64(rate), out=g, casting='unsafe')
