"""CRF1d: a linear-chain conditional random field."""
from __future__ import annotations

from typing import Any, Sequence

import numpy

from chainer import backend
from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.array.concat import concat
from chainer.functions.array.permutate import permutate_unchecked
from chainer.functions.array.transpose_sequence import transpose_sequence
from chainer.functions.loss.crf1d import argmax_crf1d, crf1d
from chainer.links.rnn.n_step_rnn import argsort_list_descent, permutate_list  # NOQA: F401


def _like(var: variable.Variable, indices: numpy.ndarray) -> Any:
    """``indices`` on the device of ``var``."""
    return backend.get_device_from_array(var.array).send(indices)


class CRF1d(link.Link):
    """Linear-chain CRF over ``n_label`` labels with a learned transition cost.

    Args:
        n_label: Number of labels.
        initial_cost: Initializer of the transition cost matrix (default zero).

    Attributes:
        cost (~chainer.Parameter): Transition scores ``(n_label, n_label)``;
            ``cost[i, j]`` scores label ``i`` followed by label ``j``.
    """

    def __init__(self, n_label: int, initial_cost: Any = None) -> None:
        super().__init__()
        if initial_cost is None:
            initial_cost = initializers.constant.Zero()
        with self.init_scope():
            self.cost = variable.Parameter(
                initializer=initializers._get_initializer(initial_cost),
                shape=(n_label, n_label))

    def forward(self, xs: Sequence[Any], ys: Sequence[Any], reduce: str = 'mean',
                transpose: bool = False) -> variable.Variable:
        """Negative log-likelihood of the label sequences ``ys`` given the scores ``xs``.

        Args:
            xs: Emission scores. Time-major by default: a list of T arrays
                ``(B_t, n_label)`` with non-increasing ``B_t``. With
                ``transpose=True``: a list of B arrays ``(T_b, n_label)``, one
                per sequence, in any order.
            ys: The labels, laid out like ``xs`` (int32 arrays without the last axis).
            reduce: ``'mean'`` (over the non-empty sequences) or ``'no'`` (one
                loss per sequence, in the order of the sequences given; 0 for an
                empty one).
            transpose: Whether ``xs`` and ``ys`` are batch-major (see above).
        """
        if not transpose:
            return crf1d(self.cost, xs, ys, reduce)
        if len(xs) != len(ys):
            raise ValueError(
                f'xs and ys must have the same number of sequences; got {len(xs)} and {len(ys)}')
        indices = argsort_list_descent(xs)
        xs = permutate_list(xs, indices, inv=False)
        ys = permutate_list(ys, indices, inv=False)
        trans_x = transpose_sequence(xs)
        trans_y = transpose_sequence(ys)
        loss = crf1d(self.cost, trans_x, trans_y, reduce)
        if reduce == 'no':
            empty = len(indices) - loss.shape[0]
            if empty:
                # empty sequences, sorted last, cost nothing
                xp = backend.get_array_module(loss.array)
                loss = concat((loss, xp.zeros(empty, loss.dtype)), axis=0)
            loss = permutate_unchecked(loss, _like(loss, indices), inv=True)
        return loss

    def argmax(self, xs: Sequence[Any], transpose: bool = False) -> tuple:
        """The best label path (Viterbi) for the scores ``xs``.

        Args:
            xs: Emission scores, laid out as in :meth:`forward`.
            transpose: Whether ``xs`` is batch-major.

        Returns:
            tuple: ``(score, path)``: the Variable of the best path scores
            (one per sequence) and the path, laid out like ``xs``.
        """
        if not transpose:
            return argmax_crf1d(self.cost, xs)
        indices = argsort_list_descent(xs)
        xs = permutate_list(xs, indices, inv=False)
        trans_x = transpose_sequence(xs)
        score, path = argmax_crf1d(self.cost, trans_x)
        path = [p.array for p in transpose_sequence(path)]
        path = permutate_list(path, indices, inv=True)
        score = permutate_unchecked(score, _like(score, indices), inv=True)
        return score, path
