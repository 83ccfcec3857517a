"""Elementwise sign (not differentiable)."""
from __future__ import annotations

import chainer
from chainer import backend
from chainer import utils


def sign(x):
    """Elementwise sign (-1, 0 or 1), as a Variable outside the graph.

    No gradient flows through it.
    """
    if isinstance(x, chainer.variable.Variable):
        x = x.array
    if not isinstance(x, chainer.get_array_types()):
        raise TypeError(
            'sign expects a Variable or an array, '
            f'got {type(x).__module__}.{type(x).__qualname__}')
    xp = backend.get_array_module(x)
    return chainer.as_variable(utils.force_array(xp.sign(x)))
