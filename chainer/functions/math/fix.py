"""Rounding toward zero (not differentiable)."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer import utils


def fix(x):
    """Elementwise rounding toward zero, as a Variable outside the graph.

    No gradient flows through it; the result keeps the dtype of ``x``.
    """
    if isinstance(x, chainer.variable.Variable):
        x = x.array
    if not isinstance(x, chainer.get_array_types()):
        raise TypeError(
            'fix expects a Variable or an array, '
            f'got {type(x).__module__}.{type(x).__qualname__}')
    xp = backend.get_array_module(x)
    return chainer.as_variable(utils.force_array(xp.fix(x), x.dtype))
