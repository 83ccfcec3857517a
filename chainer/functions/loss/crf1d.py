"""Linear-chain conditional random field: negative log-likelihood and Viterbi decoding."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer.functions.array.concat import concat
from chainer.functions.array.get_item import get_item
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.functions.math.logsumexp import logsumexp
from chainer.functions.math.minmax import max as _max
from chainer.functions.math.sum import sum as _sum
from chainer.utils import type_check
from chainer.utils.array import check_index_range
from chainer.utils.error import _IndexValueError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable


def _get_item(x, slices):
    return get_item(x, slices)


def _check_inputs(cost, xs, ys=None) -> None:
    if len(xs) == 0:
        raise _IndexValueError('xs must contain at least one array')
    if ys is not None and len(ys) != len(xs):
        raise ValueError(f'xs and ys must have the same length, got {len(xs)} and {len(ys)}')
    # InvalidType, as Chainer's checks inside raised for most bad costs, and the
    # ValueError or TypeError these refusals were before
    if cost.ndim != 2 or cost.shape[0] != cost.shape[1]:
        raise type_check._InvalidValue('cost a square matrix (n_label, n_label)',
                                       f'cost.shape == {cost.shape}')
    if cost.dtype.kind != 'f':
        raise type_check._InvalidTypeError('cost.dtype.kind == f',
                                           f'{cost.dtype.kind} != f')
    n_label = cost.shape[0]
    prev = None
    for i, x in enumerate(xs):
        if x.ndim != 2 or x.shape[1] != n_label:
            # InvalidType as Chainer's type checks mostly raised; ValueError as before
            raise type_check._InvalidValue(f'xs[{i}].shape == (batch, {n_label})',
                                           f'{x.shape}')
        if x.dtype != cost.dtype and len(xs) > 1:
            # one step uses no transition: Chainer mixed the dtypes there
            raise type_check.InvalidType(f'xs[{i}].dtype == cost.dtype',
                                         f'{x.dtype} != {cost.dtype}')
        if prev is not None and x.shape[0] > prev:
            raise type_check._InvalidValue(
                f'xs[{i}].shape[0] <= xs[{i - 1}].shape[0] (batch sizes that do not '
                'increase: sequences sorted by decreasing length)', f'{x.shape[0]} > {prev}')
        prev = x.shape[0]
        if ys is not None:
            y = _util.as_array(ys[i])
            if y.dtype.kind not in 'iu' or y.shape != (x.shape[0],):
                raise type_check.InvalidType(
                    f'ys[{i}] an integer array of shape ({x.shape[0]},)',
                    f'{y.dtype} {y.shape}')
            check_index_range(y, n_label, f'label ys[{i}]')


def _split_finished(v, batch: int, done: list):
    """``v`` cut to its first ``batch`` rows, the rest (sequences that ended) put
    aside in ``done``: each sequence is computed on its own rows only, so that a
    NaN or infinity in one never reaches another (not even as ``0 * nan``)."""
    if v.shape[0] > batch:
        done.append(_get_item(v, slice(batch, None)))
        v = _get_item(v, slice(None, batch))
    return v


def _joined(v, done: list):
    """The rows of ``v`` and of the sequences put aside, in batch order."""
    return concat([v] + done[::-1], axis=0) if done else v


def _path_score(cost, xs, ys, xp):
    """Sum of the emission and transition scores of the label paths ``ys`` (per sequence)."""
    y_prev = ys[0]
    score = _get_item(xs[0], (xp.arange(len(y_prev)), y_prev))
    done: list = []
    for x, y in zip(xs[1:], ys[1:]):
        batch = x.shape[0]
        score = _split_finished(score, batch, done)
        step = _get_item(x, (xp.arange(batch), y)) + _get_item(cost, (y_prev[:batch], y))
        score = score + step
        y_prev = y
    return _joined(score, done)


def crf1d(cost: VariableOrArray, xs: Sequence[VariableOrArray], ys: Sequence[VariableOrArray],
          reduce: str = 'mean') -> Variable:
    """Negative log-likelihood of label sequences under a linear-chain CRF.

    Args:
        cost: Transition scores (K, K); ``cost[i, j]`` scores label i followed by j.
        xs: List of T emission scores, each of shape (B_t, K), with B_t non-increasing
            (sequences sorted by decreasing length).
        ys: List of T integer label arrays, each of shape (B_t,).
        reduce: ``'mean'`` (summed loss divided by B_0) or ``'no'`` (one loss per
            sequence).
    """
    _util.check_reduce(reduce, ('mean', 'no'))
    cost = chainer.as_variable(cost)
    xs = [chainer.as_variable(x) for x in xs]
    _check_inputs(cost, xs, ys)
    xp = backend.get_array_module(cost.array)
    ys = [_util.as_array(y) for y in ys]
    n_label = cost.shape[0]
    n_batch = xs[0].shape[0]

    alpha = xs[0]
    done: list = []
    for x in xs[1:]:
        batch = x.shape[0]
        alpha = _split_finished(alpha, batch, done)
        alpha = logsumexp(reshape(alpha, (batch, n_label, 1)) + cost, axis=1) + x
    logz = logsumexp(_joined(alpha, done), axis=1)
    score = _path_score(cost, xs, ys, xp)
    loss = logz - score
    if reduce == 'mean':
        return _sum(loss) * (1.0 / max(n_batch, 1))
    return loss


def argmax_crf1d(cost: VariableOrArray,
                 xs: Sequence[VariableOrArray]) -> tuple[Variable, list[NdArray]]:
    """The highest-scoring label path of a linear-chain CRF (Viterbi decoding).

    Args:
        cost: Transition scores (K, K).
        xs: List of T emission scores, each of shape (B_t, K), B_t non-increasing.

    Returns:
        tuple: ``(score, path)``: the Variable of the best path's score per sequence
        (B_0,) and the path as a list of T integer arrays of shape (B_t,).
    """
    cost = chainer.as_variable(cost)
    # Chainer added each later step's array (not a Variable) onto the running
    # scores as a constant of their dtype, which is checked to be cost's.
    xs = [x if i == 0 or isinstance(x, chainer.Variable)
          or getattr(x, 'dtype', cost.dtype) == cost.dtype else x.astype(cost.dtype)
          for i, x in enumerate(xs)]
    xs = [chainer.as_variable(x) for x in xs]
    _check_inputs(cost, xs)
    xp = backend.get_array_module(cost.array)
    c = cost.array
    n_batch = xs[0].shape[0]
    rows = xp.arange(n_batch)
    alpha = xs[0].array
    back = []
    for x in xs[1:]:
        batch = x.shape[0]
        scores = alpha[:batch, :, None] + c
        back.append(scores.argmax(axis=1))
        alpha = alpha.copy()
        alpha[:batch] = scores.max(axis=1) + x.array
    # follow the back pointers from each sequence's own last step
    lengths = [x.shape[0] for x in xs]
    inds = alpha.argmax(axis=1)
    path = [None] * len(xs)
    path[-1] = inds[:lengths[-1]]
    for t in range(len(xs) - 1, 0, -1):
        batch = lengths[t]
        prev = inds.copy()
        prev[:batch] = back[t - 1][rows[:batch], inds[:batch]]
        inds = prev
        path[t - 1] = inds[:lengths[t - 1]]
    path = [p.astype(numpy.int32) for p in path]
    return _viterbi_score(cost, xs), path


def _viterbi_score(cost, xs):
    """The best path's score per sequence, as maxima over the transitions: every
    tied maximum receives the gradient, as in Chainer."""
    n_label = cost.shape[0]
    alpha = xs[0]
    done: list = []
    for x in xs[1:]:
        batch = x.shape[0]
        alpha = _split_finished(alpha, batch, done)
        alpha = _max(reshape(alpha, (batch, n_label, 1)) + cost, axis=1) + x
    return _max(_joined(alpha, done), axis=1)
