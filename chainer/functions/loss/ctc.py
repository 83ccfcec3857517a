"""Connectionist temporal classification loss."""
from __future__ import annotations

from typing import TYPE_CHECKING
import collections.abc

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.functions.array import stack
from chainer.functions.loss import _util
from chainer.utils import type_check
from chainer.utils.error import _IndexValueError
from chainer.utils.error import _ValueAssertionError
from chainer.utils.array import check_index_range
from chainer.utils.array import log_softmax
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _logsumexp3(xp, a, b, c):
    m = xp.maximum(xp.maximum(a, b), c)
    safe = xp.where(xp.isfinite(m), m, 0)
    with numpy.errstate(divide='ignore'):
        return xp.log(xp.exp(a - safe) + xp.exp(b - safe) + xp.exp(c - safe)) + safe


def _log_zero(dtype) -> float:
    """The finite stand-in for log(0) of unreachable alignment states: an
    impossible label sequence costs about ``-_log_zero`` (as Chainer's CTC)."""
    return -1e4 if numpy.dtype(dtype) == numpy.float16 else -1e10


def _to_cpu(a):
    return numpy.asarray(a.get() if hasattr(a, 'get') else a)


class ConnectionistTemporalClassification(_CallableNode, function_node.FunctionNode):
    """CTC loss over label sequences (first-order gradient only)."""

    def __init__(self, blank_symbol, reduce='mean'):
        self.blank_symbol = blank_symbol
        _util.check_reduce(reduce, ('mean', 'no'))
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('input_length', 'label_length', 't', 'x'))
        input_length_type, label_length_type, t_type, x_type = in_types
        type_check.expect(
            input_length_type.dtype == numpy.int32,
            input_length_type.ndim == 1,
            label_length_type.dtype == numpy.int32,
            label_length_type.ndim == 1,
            t_type.ndim == 2,
            t_type.dtype == numpy.int32,
            x_type.ndim == 3,
            x_type.dtype.kind == 'f',
        )
        # every batch size is compared with x's (time, batch, unit), as Chainer worded it
        batch = x_type.shape[1]
        type_check.expect(
            t_type.shape[0] == batch,
            input_length_type.shape[0] == batch,
            label_length_type.shape[0] == batch,
        )

    def forward(self, inputs):
        # x: the scores of all steps, (time, batch, unit), as in Chainer
        input_length, label_length, t, x = inputs
        xp = backend.get_array_module(x)
        dtype = x.dtype
        n_time, n_batch, n_unit = x.shape
        blank = self.blank_symbol
        self.retain_inputs((0, 1, 2, 3))  # Chainer's old-style Function kept all inputs
        in_len = _to_cpu(input_length).astype(numpy.int64)
        lab_len = _to_cpu(label_length).astype(numpy.int64)
        self._in_len = in_len
        # Too long a length is also the AssertionError of Chainer's debug-mode check.
        if (in_len > n_time).any() or (in_len < 0).any():
            raise _ValueAssertionError('input_length must be in [0, len(x)]')
        if (lab_len > t.shape[1]).any() or (lab_len < 0).any():
            raise _ValueAssertionError('label_length must be in [0, t.shape[1]]')
        in_label = xp.arange(t.shape[1])[None, :] < xp.asarray(lab_len)[:, None]
        check_index_range(t[in_label], n_unit, 'label t')

        log_y = log_softmax(x, axis=2)[0]
        zero = log_y.dtype.type(_log_zero(dtype))
        # a probability below exp(zero) (a -inf score included) counts as zero
        log_y = xp.maximum(log_y, zero, out=log_y)
        self.log_y = log_y

        # extended labels: blank, t1, blank, t2, ..., blank (padding beyond a
        # label's length reads as blank)
        n_ext = 2 * t.shape[1] + 1
        ext = xp.full((n_batch, n_ext), blank, numpy.int64)
        ext[:, 1::2] = xp.where(in_label, t, blank)
        ext_len = xp.asarray(2 * lab_len + 1)
        valid = xp.arange(n_ext)[None, :] < ext_len[:, None]
        # skipping over a blank is allowed where the label differs from the one two back
        skip = xp.zeros((n_batch, n_ext), bool)
        skip[:, 3::2] = t[:, 1:] != t[:, :-1]
        skip[:, 1:2] = True
        skip &= valid
        self.ext = ext
        rows = xp.arange(n_batch)[:, None]

        def emit(ti):
            return log_y[ti][rows, ext]

        def shift(a, k):
            out = xp.full_like(a, zero)
            out[:, k:] = a[:, :n_ext - k]
            return out

        def back(a, k):
            out = xp.full_like(a, zero)
            out[:, :n_ext - k] = a[:, k:]
            return out

        # alphas[t]: log probability of the prefixes ending in each state at t
        # (emission at t included), from a virtual start before step 0
        alphas = xp.empty((n_time, n_batch, n_ext), log_y.dtype)
        alpha = xp.full((n_batch, n_ext), zero, log_y.dtype)
        alpha[:, 0] = 0
        for ti in range(n_time):
            alpha = _logsumexp3(xp, alpha, shift(alpha, 1), xp.where(skip, shift(alpha, 2), zero))
            alpha = xp.where(valid, alpha, zero) + emit(ti)
            alphas[ti] = alpha

        # betas[t]: log probability of the suffixes after t from each state (emission
        # at t excluded), to a virtual end after each sequence's last step
        in_len_x = xp.asarray(in_len)
        end = xp.full((n_batch, n_ext), zero, log_y.dtype)
        end[rows[:, 0], ext_len - 1] = 0
        skip_next = xp.zeros((n_batch, n_ext), bool)
        skip_next[:, :n_ext - 2] = skip[:, 2:]
        betas = xp.full((n_time, n_batch, n_ext), zero, log_y.dtype)
        nxt = end
        for ti in range(n_time - 1, -1, -1):
            nxt = xp.where((in_len_x - 1 == ti)[:, None], end, nxt)
            beta = _logsumexp3(xp, nxt, back(nxt, 1), xp.where(skip_next, back(nxt, 2), zero))
            beta = xp.where(valid & (ti < in_len_x)[:, None], beta, zero)
            betas[ti] = beta
            nxt = beta + emit(ti)

        self.occupancy = alphas + betas
        if n_time:
            m = self.occupancy[0].max(axis=1)
            log_p = xp.log(xp.exp(self.occupancy[0] - m[:, None]).sum(axis=1)) + m
        else:
            log_p = xp.zeros(n_batch, log_y.dtype)
        # Both constants in the dtype of log_y: CuPy 13 would promote a Python 0
        # beside a NumPy scalar to float64 (no array operand to type them by).
        log_p = xp.where(in_len_x > 0, log_p, xp.where(ext_len == 1, zero.dtype.type(0), zero))
        self.log_p = log_p
        self.valid = valid
        loss = -log_p
        if self.reduce == 'mean':
            loss = loss.sum() / loss.dtype.type(max(n_batch, 1))
        return utils.force_array(loss.astype(dtype)),

    def _grad_arrays(self):
        """d loss_b / d x (before scaling by the output gradient)."""
        xp = backend.get_array_module(self.log_y)
        log_y = self.log_y
        n_time, n_batch, n_unit = log_y.shape
        with numpy.errstate(invalid='ignore', over='ignore'):
            post = xp.exp(self.occupancy - self.log_p[None, :, None])
        post = xp.where(xp.isnan(post) | ~self.valid, 0, post)
        onehot = (self.ext[:, :, None] == xp.arange(n_unit)).astype(post.dtype)
        # occupation of each unit: the posteriors of the extended positions carrying it
        occ = xp.einsum('tbs,bsv->tbv', post, onehot)
        active = (xp.arange(n_time)[:, None] < xp.asarray(self._in_len)[None, :])
        return (xp.exp(log_y) - occ) * active[:, :, None]

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        grad = _CTCGrad(self._grad_arrays(), self.reduce)
        return (None, None, None) + grad.apply((gy, self.get_retained_inputs()[3]))


class _CTCGrad(function_node.FunctionNode):
    """Gradient of the CTC loss w.r.t. ``x`` (not differentiable again), given the
    unscaled gradient ``grad`` (time, batch, unit) and the ``reduce`` option."""

    def __init__(self, grad, reduce: str):
        self.grad = grad
        self.reduce = reduce

    def forward(self, inputs):
        gy, x = inputs
        grad = self.grad
        if self.reduce == 'mean':
            grad = grad * (gy.astype(grad.dtype) / grad.dtype.type(max(x.shape[1], 1)))
        else:
            grad = grad * gy.astype(grad.dtype)[None, :, None]
        return utils.force_array(grad.astype(x.dtype)),

    def backward(self, indexes, grad_outputs):
        # Chainer's CTC was an old-style Function: its gradient cannot be
        # differentiated again, with the RuntimeError any such gradient raises.
        raise variable._old_style_gradient_error('ConnectionistTemporalClassification')


def connectionist_temporal_classification(x: Sequence[VariableOrArray], t: VariableOrArray,
                                          blank_symbol: int,
                                          input_length: VariableOrArray | None = None,
                                          label_length: VariableOrArray | None = None,
                                          reduce: str = 'mean') -> Variable:
    """CTC loss of unsegmented label sequences.

    Args:
        x: List of T Variables/arrays of shape (B, V): unnormalized scores per step.
        t: Integer labels (B, L).
        blank_symbol: Index of the blank label in ``[0, V)``.
        input_length: Lengths of the input sequences (B,); all T if None.
        label_length: Lengths of the label sequences (B,); all L if None.
        reduce: ``'mean'`` (summed loss divided by B) or ``'no'`` (one loss per
            sequence).
    """
    if not isinstance(x, collections.abc.Sequence):
        raise TypeError('x must be a list of Variables')
    if len(x) == 0:
        raise _IndexValueError('x must contain at least one step')
    if not isinstance(blank_symbol, int):
        raise TypeError('blank_symbol must be non-negative integer.')
    if x[0].ndim != 2:
        # also the AssertionError Chainer's forward raised for a 3-d x
        raise _ValueAssertionError(f'each x must be 2-dimensional, got ndim {x[0].ndim}')
    if not 0 <= blank_symbol < x[0].shape[1]:
        raise _ValueAssertionError(
            f'blank_symbol must be in [0, {x[0].shape[1]}), got {blank_symbol}')
    _util.check_reduce(reduce, ('mean', 'no'))
    xp = backend.get_array_module(x[0])
    if isinstance(t, variable.Variable):
        t = t.array
    if input_length is None:
        input_length = xp.full(len(x[0]), len(x), dtype=numpy.int32)
    if label_length is None:
        label_length = xp.full(len(t), t.shape[1], dtype=numpy.int32)
    func = ConnectionistTemporalClassification(blank_symbol, reduce)
    # as in Chainer, the node takes the steps stacked (after a Stack node)
    return func.apply((input_length, label_length, t, stack.stack(x)))[0]
