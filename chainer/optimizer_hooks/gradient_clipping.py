"""Gradient norm clipping hook."""

from __future__ import annotations

import collections
import math
from typing import Any

import numpy

from chainer import backend
from chainer.utils.array import as_compute, widen_scalar


def _sum_sqnorm(arrays: Any) -> float:
    """Sum of squared L2 norms of ``arrays`` (None entries skipped), as a Python float."""
    per_device: dict[Any, Any] = collections.defaultdict(float)
    for x in arrays:
        if x is None:
            continue
        if type(x) is numpy.ndarray:
            # The per-array sums add up in float64 on the CPU, as in Chainer
            # (NumPy 2 would keep adding float32 scalars in float32).
            per_device[None] = per_device[None] + float(_sqnorm(x))
            continue
        device = backend.get_device_from_array(x)
        with backend.using_device(device):
            per_device[device] = per_device[device] + _sqnorm(x)
    return sum(float(s) for s in per_device.values())


def _sqnorm(x: Any) -> Any:
    # float16 gradients accumulate in float32, where they cannot overflow.
    flat = as_compute(x.ravel())
    return flat.dot(flat)


class GradientClipping:
    """Optimizer hook rescaling all gradients so that their global L2 norm is at most ``threshold``.

    The norm is taken over the gradients of every parameter of the optimizer's target;
    when it exceeds ``threshold``, each gradient is multiplied by ``threshold / norm``.

    Args:
        threshold: Upper bound of the global L2 norm.

    Attributes:
        threshold: Upper bound of the global L2 norm.
        timing: ``'pre'`` (before the update) or ``'post'``.
    """

    name = 'GradientClipping'
    call_for_each_param = False
    timing = 'pre'

    def __init__(self, threshold: float) -> None:
        if threshold is None or isinstance(threshold, (str, bytes)):
            # Chainer's arithmetic raised TypeError at the update; ours a comparison's
            raise TypeError(f'threshold of GradientClipping must be a number, got {threshold!r}')
        if threshold < 0:
            raise ValueError(
                f'threshold of GradientClipping must be non-negative, got {threshold}')
        self.threshold = threshold

    def __call__(self, opt: Any) -> None:
        params = [p for p in opt.target.params(False) if p.grad is not None]
        norm = math.sqrt(_sum_sqnorm([p.grad for p in params]))
        if norm == 0:
            return
        threshold = widen_scalar(self.threshold)
        # Gradients are still multiplied by the loss scale when optimizer hooks run.
        scales = {p._loss_scale for p in params if p._loss_scale is not None}
        if len(scales) == 1:
            threshold *= scales.pop()
        rate = threshold / norm
        if rate >= 1:
            return
        for param in params:
            grad = param.grad
            if type(grad) is numpy.ndarray:
                grad *= grad.dtype.type(rate)
                continue
            with backend.using_device(param.device):
                grad *= grad.dtype.type(rate)
