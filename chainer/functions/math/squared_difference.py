"""Elementwise squared difference."""
from __future__ import annotations

import chainer


def squared_difference(x1, x2):
    """Elementwise squared difference ``(x1 - x2) ** 2``.

    As in Chainer, its node is :class:`~chainer.functions.loss.squared_error.SquaredError`
    (what function hooks, ``creator`` and graph dumps show).
    """
    return chainer.functions.loss.squared_error.SquaredError().apply((x1, x2))[0]
