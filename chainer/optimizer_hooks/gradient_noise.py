"""Gradient noise hook (Neelakantan et al., "Adding Gradient Noise Improves Learning")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy

from chainer import backend
from chainer.backends import cuda

if TYPE_CHECKING:
    from chainer.optimizer import UpdateRule
    from chainer.variable import Parameter


def exponential_decay_noise(xp: Any, shape: Any, dtype: Any, hook: 'GradientNoise',
                            opt: Any) -> Any:
    """Gaussian noise whose variance decays as ``hook.eta / (1 + opt.t) ** 0.55``.

    Args:
        xp: Array module (``numpy`` or ``cupy``) to draw with.
        shape: Shape of the noise array.
        dtype: Dtype of the noise array.
        hook: The :class:`GradientNoise` hook (provides ``eta``).
        opt: The optimizer or update rule (provides the step count ``t``).
    """
    std = numpy.sqrt(hook.eta / numpy.power(1 + opt.t, 0.55))
    return xp.random.normal(0, std, shape).astype(dtype, copy=False)


class GradientNoise:
    """Optimizer/update-rule hook adding noise to each gradient: ``grad += noise_func(...)``.

    Args:
        eta: Parameter of the noise distribution (used by ``noise_func``).
        noise_func: Callable ``noise_func(xp, shape, dtype, hook, opt)`` returning an array
            of noise; ``opt`` is the update rule of the parameter. Defaults to
            :func:`exponential_decay_noise`.

    Attributes:
        eta: Parameter of the noise distribution.
        noise_func: The noise generator.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'GradientNoise'
    call_for_each_param = True
    timing = 'pre'

    def __init__(self, eta: float,
                 noise_func: Callable[..., Any] = exponential_decay_noise) -> None:
        if not callable(noise_func):
            raise TypeError(
                f'noise_func of GradientNoise must be callable, got {type(noise_func).__name__}')
        self.eta = eta
        self.noise_func = noise_func

    def __call__(self, rule: UpdateRule, param: Parameter) -> None:
        g = param.grad
        if g is None:
            return
        with backend.using_device(param.device):
            xp = param.device.xp
            noise = self.noise_func(xp, g.shape, g.dtype, self, rule)
            # Gradients are still multiplied by the loss scale when optimizer hooks run.
            if param._loss_scale is not None:
                noise = noise * param._loss_scale
            if xp is cuda.cupy:
                kernel = cuda.elementwise('T noise', 'T g', 'g += noise', 'gradient_noise')
                kernel(noise, g)
            else:
                g += noise
