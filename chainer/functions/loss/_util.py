"""Small helpers shared by the loss functions.

The Variable-level ones are built from differentiable ``chainer.functions``
(imported lazily), so that every loss can be differentiated to any order.
"""
from __future__ import annotations


import chainer
from chainer import backend


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


def bsum(x, axis=None, keepdims=False):
    from chainer.functions.math.sum import sum as _sum
    return _sum(x, axis=axis, keepdims=keepdims)


def broadcast_to(x, shape):
    from chainer.functions.array.broadcast import broadcast_to as _b
    return _b(x, shape)


def reshape(x, shape):
    from chainer.functions.array.reshape import reshape as _r
    return _r(x, shape)


def exp(x):
    from chainer.functions.math.exponential import exp as _e
    return _e(x)


def log(x):
    from chainer.functions.math.exponential import log as _l
    return _l(x)


def relu(x):
    from chainer.functions.activation.relu import relu as _relu
    return _relu(x)


def sqrt(x):
    return chainer.as_variable(x) ** 0.5


def sigmoid(x):
    from chainer.functions.activation.sigmoid import sigmoid as _sigmoid
    return _sigmoid(x)


def logsumexp(x, axis):
    """``log(sum(exp(x), axis))`` shifted by the (constant) maximum for stability."""
    x = chainer.as_variable(x)
    xp = backend.get_array_module(x.array)
    m = x.array.max(axis=axis, keepdims=True)
    m = xp.where(xp.isfinite(m), m, 0).astype(x.dtype, copy=False)
    s = bsum(exp(x - m), axis=axis)
    return log(s) + m.squeeze(axis)


def log_softmax(x):
    """Differentiable log-softmax over axis 1."""
    from chainer.functions.activation.log_softmax import log_softmax as _log_softmax
    return _log_softmax(x)


def softplus(x):
    from chainer.functions.activation.softplus import softplus as _softplus
    return _softplus(x)


def center(x):
    """``x - mean(x, axis=0)`` of a Variable."""
    m = bsum(x, axis=0, keepdims=True) * (1.0 / max(x.shape[0], 1))
    return x - broadcast_to(m, x.shape)


def transpose(x, axes=None):
    from chainer.functions.array.transpose import transpose as _t
    return _t(x, axes)
