"""Small helpers shared by the loss functions.

The Variable-level ones are built from differentiable functions, so that every
loss can be differentiated to any order.
"""
from __future__ import annotations


import numpy

import chainer
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check


def check_reduce(reduce, allowed, what='reduce', only='only') -> None:
    """Raises Chainer's ``ValueError`` for an unknown ``reduce`` option (its message
    starts with ``only``: ``'Only'`` for the losses whose Chainer message did)."""
    if reduce not in allowed:
        names = ' and '.join(f"'{a}'" for a in allowed) if len(allowed) == 2 else \
            ', '.join(f"'{a}'" for a in allowed[:-1]) + f" and '{allowed[-1]}'"
        raise ValueError(
            f'{only} {names} are valid for \'{what}\', but \'{reduce}\' is given')


class MarginLoss(function_node.FunctionNode):
    """Base of the losses of a positive ``margin``, per sample (``reduce='no'``) or
    averaged over the batch (``'mean'``)."""

    def __init__(self, margin, reduce='mean'):
        if margin <= 0:
            raise ValueError('margin should be positive value.')
        self.margin = margin
        check_reduce(reduce, ('mean', 'no'))
        self.reduce = reduce

    def _reduced(self, loss):
        """``loss`` (one per sample along axis 0) as the forward output."""
        if self.reduce == 'mean':
            loss = array_utils.sum(loss) / loss.dtype.type(len(loss))
        return utils.force_array(loss, loss.dtype)


def check_word_loss_types(in_types, named: bool = True, n_rows: int | None = None) -> None:
    """Checks the inputs ``(x, t, W)`` of a loss over a vocabulary (negative
    sampling, hierarchical softmax): float ``x`` of shape ``(n, d)``, int32 labels
    ``t`` of shape ``(n,)``, and a matrix ``W`` of ``x``'s dtype with ``n_rows`` rows
    (where given) and ``d`` columns, in Chainer's order; ``named=False`` keeps
    Chainer's unnamed ``in_types[i]`` (hierarchical softmax)."""
    if named:
        type_check._argname(in_types, ('x', 't', 'W'))
    else:
        type_check.expect(in_types.size() == 3)
    x_type, t_type, w_type = in_types
    type_check.expect(
        x_type.dtype.kind == 'f',
        x_type.ndim == 2,
        t_type.dtype == numpy.int32,
        t_type.ndim == 1,
        x_type.shape[0] == t_type.shape[0],
        w_type.dtype == x_type.dtype,
        w_type.ndim == 2,
    )
    if n_rows is None:
        # negative sampling's, unchecked in Chainer: NumPy's ValueError there
        with type_check._failing_as(type_check._InvalidValue):
            type_check.expect(w_type.shape[1] == x_type.shape[1])
    else:
        type_check.expect(w_type.shape[0] == n_rows)
        type_check.expect(w_type.shape[1] == x_type.shape[1])


def difference(ga, gb):
    """``ga - gb`` of two optional Variables (None counts as zero; both None is not
    allowed): the upstream gradient of a node whose outputs are ``(g, -g)``."""
    if gb is None:
        return ga
    if ga is None:
        return -gb
    return ga - gb


def as_array(x):
    """The array of a Variable or an array; ``TypeError`` for anything else."""
    function_node._check_input(x)
    return x.array if isinstance(x, chainer.Variable) else x


def center(x):
    """``x - mean(x, axis=0)`` of a Variable (NumPy's mean: the sum divided by the
    count, as Chainer's losses centred)."""
    if x.shape[0]:
        m = chainer.functions.mean(x, axis=0, keepdims=True)
    else:
        m = _sum(x, axis=0, keepdims=True)
    return x - broadcast_to(m, x.shape)
