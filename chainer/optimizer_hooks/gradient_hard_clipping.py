"""Element-wise gradient clipping hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend

if TYPE_CHECKING:
    from chainer.optimizer import UpdateRule
    from chainer.variable import Parameter


class GradientHardClipping:
    """Optimizer/update-rule hook clipping each gradient element to ``[lower_bound, upper_bound]``.

    Args:
        lower_bound: Lower bound of the gradient values (None: unbounded below).
        upper_bound: Upper bound of the gradient values (None: unbounded above).

    Attributes:
        lower_bound: Lower bound of the gradient values.
        upper_bound: Upper bound of the gradient values.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'GradientHardClipping'
    call_for_each_param = True
    timing = 'pre'

    def __init__(self, lower_bound: float | None, upper_bound: float | None) -> None:
        if lower_bound is None and upper_bound is None:
            raise ValueError('GradientHardClipping needs at least one of lower_bound and '
                             'upper_bound')
        if lower_bound is not None and upper_bound is not None \
                and lower_bound > upper_bound:
            raise ValueError(
                'lower_bound of GradientHardClipping must not exceed upper_bound '
                f'(lower_bound={lower_bound}, upper_bound={upper_bound})')
        self.lower_bound = lower_bound
        self.upper_bound = upper_bound

    def __call__(self, rule: UpdateRule, param: Parameter) -> None:
        grad = param.grad
        if grad is None:
            return
        lower, upper = self.lower_bound, self.upper_bound
        # The bounds apply to the true gradient; scaled gradients need scaled bounds.
        scale = param._loss_scale
        if scale is not None:
            lower = None if lower is None else lower * scale
            upper = None if upper is None else upper * scale
        device = param.device
        xp = device.xp
        if xp is numpy:
            numpy.clip(grad, lower, upper, out=grad)
            return
        with backend.using_device(device):
            xp.clip(grad, lower, upper, out=grad)
