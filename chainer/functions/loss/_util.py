"""Small helpers shared by the loss functions.

The Variable-level ones are built from differentiable functions, so that every
loss can be differentiated to any order.
"""
from __future__ import annotations


import chainer
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.math.sum import sum as _sum


def check_reduce(reduce, allowed, what='reduce') -> None:
    """Raises Chainer's ``ValueError`` for an unknown ``reduce`` option."""
    if reduce not in allowed:
        names = ' and '.join(f"'{a}'" for a in allowed) if len(allowed) == 2 else \
            ', '.join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'"
        raise ValueError(
            f'only {names} are valid for \'{what}\', but \'{reduce}\' is given')


def difference(ga, gb):
    """``ga - gb`` of two optional Variables (None counts as zero; both None is not
    allowed): the upstream gradient of a node whose outputs are ``(g, -g)``."""
    if gb is None:
        return ga
    if ga is None:
        return -gb
    return ga - gb


def as_array(x):
    return x.array if isinstance(x, chainer.Variable) else x


def center(x):
    """``x - mean(x, axis=0)`` of a Variable."""
    m = _sum(x, axis=0, keepdims=True) * (1.0 / max(x.shape[0], 1))
    return x - broadcast_to(m, x.shape)
