"""Transposing a list of variable-length sequences (batch-major <-> time-major)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.array.cast import cast
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _transposed_numpy(xs, lengths) -> tuple:
    """The per-step batches of NumPy sequences: all rows joined, gathered once in
    time-major order and split into views, rather than a stack per step."""
    lengths = numpy.array(lengths)
    starts = numpy.zeros(len(xs), numpy.intp)
    numpy.cumsum(lengths[:-1], out=starts[1:])
    # valid[t, i]: sequence i has a step t; its nonzero entries run step by step
    valid = numpy.arange(lengths[0])[:, None] < lengths
    steps, seqs = numpy.nonzero(valid)
    rows = numpy.concatenate(xs)[starts[seqs] + steps]
    return tuple(numpy.split(rows, numpy.cumsum(valid.sum(axis=1))[:-1]))


class TransposeSequence(function_node.FunctionNode):
    """Turns sequences sorted by decreasing length into a list of per-step batches."""

    def __init__(self, length: int) -> None:
        self._length = length

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() >= 1)
        for i in range(type_check.eval(in_types.size())):
            type_check.expect(in_types[i].ndim >= 1)
        for p, n in zip(in_types, in_types[1:]):
            # Sequences of other dtypes than the first are cast to its dtype, as
            # Chainer's forward did; each gets its gradient in its own dtype.
            type_check.expect(
                p.shape[0] >= n.shape[0],
                p.shape[1:] == n.shape[1:],
            )

    def forward(self, xs):
        if not xs or len(xs[0]) == 0:
            return ()
        xp = backend.get_array_module(*xs)
        dtype = xs[0].dtype
        if any(x.dtype != dtype for x in xs):
            # Other dtypes than the first are cast to it, as Chainer's forward did.
            xs = [x.astype(dtype, copy=False) for x in xs]
        lengths = [len(x) for x in xs]
        if xp is numpy and len(xs) > 1:
            return _transposed_numpy(xs, lengths)
        ys = []
        n = len(xs)
        for t in range(lengths[0]):
            while lengths[n - 1] <= t:
                n -= 1
            ys.append(xp.stack([x[t] for x in xs[:n]]))
        return tuple(ys)

    def backward(self, indexes, grad_outputs):
        grads = list(grad_outputs)
        ref = next(g for g in grads if g is not None).array
        xp = backend.get_array_module(ref)
        for t, g in enumerate(grads):
            if g is None:
                out = self.outputs[t]()
                shape = out.shape if out is not None else None
                if shape is None:
                    n = sum(1 for x in self.inputs if x.shape[0] > t)
                    shape = (n,) + ref.shape[1:]
                with backend.using_device(backend.get_device_from_array(ref)):
                    grads[t] = chainer.Variable(xp.zeros(shape, ref.dtype), requires_grad=False)
        gxs = list(TransposeSequence(len(grads)).apply(grads))
        # Empty sequences at the end receive no step; give them zero gradients.
        for x in self.inputs[len(gxs):]:
            with backend.using_device(backend.get_device_from_array(ref)):
                gxs.append(chainer.Variable(xp.zeros(x.shape, ref.dtype), requires_grad=False))
        for i, x in enumerate(self.inputs):
            if x.dtype != ref.dtype:
                gxs[i] = cast(gxs[i], x.dtype) if x.dtype.kind == 'f' else None
        return tuple(gxs)


def transpose_sequence(xs: Sequence[VariableOrArray]) -> tuple[Variable, ...]:
    """Transposes a list of sequences.

    Given ``xs`` sorted by non-increasing length (each of shape (L_i, ...)),
    returns a tuple whose ``t``-th Variable stacks the ``t``-th elements of all
    sequences longer than ``t``. Applying it twice gives back the input.
    """
    function_node._check_inputs_sequence(xs, 'F.transpose_sequence')
    if len(xs) == 0:
        return ()
    return TransposeSequence(len(xs)).apply(xs)
