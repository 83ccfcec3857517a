"""Negative sampling loss (word2vec's output layer)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.expand_dims import expand_dims
from chainer.functions.array.get_item import get_item
from chainer.functions.array.scatter_add import scatter_add
from chainer.functions.array.where import where
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from collections.abc import Callable

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable


def _signs(xp, n_samples: int, dtype) -> Any:
    """``-1`` for the positive column 0, ``+1`` for the negatives."""
    sign = xp.ones(n_samples, dtype)
    sign[0] = -1
    return sign


def _scores(x, W, samples):
    """``W[samples] . x`` per sample, as a Variable of shape ``samples.shape``."""
    w = get_item(W, samples)
    xb = broadcast_to(expand_dims(x, 1), w.shape)
    return _sum(w * xb, axis=2)


def _kept_rows(v, keep):
    """The Variable ``v`` (or None) with the rows where ``keep`` is False set to
    zero by selection (``F.where``: no NaN from ``0 * inf``)."""
    if v is None:
        return None
    xp = backend.get_array_module(v.array)
    cond = xp.broadcast_to(keep.reshape(keep.shape + (1,) * (v.ndim - 1)), v.shape)
    return where(cond, v, xp.zeros(v.shape, v.dtype))


def _sample_scores(Wc, index, xc):
    """``W[index[b, k]] . x[b]`` as a new ``(B, K)`` array, gathered and reduced
    block by block on NumPy."""
    xp = backend.get_array_module(xc)
    if xp is not numpy:
        return xp.einsum('bkd,bd->bk', Wc[index], xc)
    scores = numpy.empty(index.shape, xc.dtype)
    for s, w in array_utils.gathered_blocks(Wc, index):
        numpy.einsum('bkd,bd->bk', w, xc[s], out=scores[s])
    return scores


class NegativeSamplingFunction(function_node.FunctionNode):
    """The node of :func:`negative_sampling`: inputs ``(x, t, W)``.

    After the forward pass, ``samples`` holds the ``(batch, sample_size + 1)``
    ids used (column 0 is ``t``). A ``samples`` array set on the node (or on
    the class) before the forward pass is used instead of drawing new ones,
    which makes the loss a deterministic function of ``x`` and ``W``.
    """

    ignore_label = -1

    def __init__(self, sampler, sample_size: int, reduce: str = 'sum') -> None:
        _util.check_reduce(reduce, ('sum', 'no'))
        self.sampler = sampler
        self.sample_size = sample_size
        self.reduce = reduce

    def check_type_forward(self, in_types):
        _util.check_word_loss_types(in_types)

    def _make_samples(self, t):
        fixed = getattr(self, 'samples', None)
        if fixed is not None:
            return fixed
        xp = backend.get_array_module(t)
        drawn = self.sampler((int(t.shape[0]), self.sample_size + 1))
        samples = backend.get_device_from_array(t).send(drawn)
        samples = xp.asarray(samples)
        if samples.dtype.kind not in 'iu':
            raise IndexError(f'the sampler must return integer ids, got dtype {samples.dtype}')
        samples = samples.astype(numpy.int32, copy=True)
        samples[:, 0] = t
        return samples

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))  # t too, as Chainer's node keeps it
        x, t, W = inputs
        xp = backend.get_array_module(x)
        n_vocab = W.shape[0]
        n_ignored = array_utils.check_index_range(t, n_vocab, 'label t', ignore=self.ignore_label)
        samples = self._make_samples(t)
        self.samples = samples
        self.ignore_mask = t != self.ignore_label
        # Ignored rows read row 0 and are masked out of the loss (selected, not
        # multiplied by 0: their x or W[0] may hold infinities or NaN).
        self._index = xp.where(self.ignore_mask[:, None], samples, 0)
        self._partial = n_ignored > 0
        if xp is not numpy or chainer.is_debug():
            array_utils.check_index_range(self._index, n_vocab, 'sampled id')

        xc = array_utils.as_compute(x)
        scores = _sample_scores(array_utils.as_compute(W), self._index, xc)
        scores *= _signs(xp, samples.shape[1], xc.dtype)
        loss = xp.logaddexp(scores, 0).sum(axis=1)
        if self._partial:
            loss = xp.where(self.ignore_mask, loss, loss.dtype.type(0))
        if self.reduce == 'sum':
            loss = array_utils.sum(loss)
        return utils.force_array(loss, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, _, W = self.get_retained_inputs()
        gy, = grad_outputs
        gx, gW = NegativeSamplingFunctionGrad(
            self.reduce, self.ignore_mask, self._index, self._partial).apply((x, W, gy))
        grads = {0: gx, 2: gW}
        return tuple(grads.get(i) for i in indexes)


class NegativeSamplingFunctionGrad(function_node.FunctionNode):
    """``(gx, gW)`` of :class:`NegativeSamplingFunction` from ``(x, W, gy)``.

    ``ignore_mask`` marks the rows that count; ``index`` holds the sampled ids
    (column 0 the target) of every row; ``partial`` says that some rows are
    ignored: they get no gradient and give none to ``W``, whatever their ``x``
    (and the ``W[0]`` they read) hold, infinities and NaN included, as in
    Chainer, which skipped them. Differentiable again.
    """

    def __init__(self, reduce: str, ignore_mask, index, partial: bool = True) -> None:
        self.reduce = reduce
        self.ignore_mask = ignore_mask
        self.index = index
        self.partial = partial

    def _row_weights(self, gy, xp, dtype):
        """``gy`` per row (broadcast for ``reduce='sum'``), 0 on ignored rows."""
        g = xp.broadcast_to(gy, self.ignore_mask.shape).astype(dtype)
        return g * self.ignore_mask

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, W, gy = inputs
        xp = backend.get_array_module(x)
        xc = array_utils.as_compute(x)
        Wc = array_utils.as_compute(W)
        sign = _signs(xp, self.index.shape[1], xc.dtype)
        g = self._row_weights(array_utils.as_compute(gy), xp, xc.dtype)[:, None]
        if xp is not numpy:
            w = Wc[self.index]                                      # (B, K, D)
            sig = array_utils.sigmoid(xp.einsum('bkd,bd->bk', w, xc) * sign)
            c = g * sig * sign
            gx = xp.einsum('bk,bkd->bd', c, w)
        else:  # gathering and reducing block by block, in Chainer's arithmetic:
            # per row f = w . x and gx = c . w (products of matrices, as its dot;
            # einsum sums in another order) with c = gy / (1 + exp(-sign f)) sign
            c = numpy.empty(self.index.shape, xc.dtype)
            gx = numpy.empty_like(xc)
            for s, w in array_utils.gathered_blocks(Wc, self.index):
                scores = numpy.matmul(w, xc[s][:, :, None])[:, :, 0]
                scores *= -sign
                numpy.exp(scores, out=scores)
                scores += 1
                numpy.divide(g[s], scores, out=c[s])
                c[s] *= sign
                numpy.matmul(c[s][:, None, :], w, out=gx[s][:, None, :])
        index = self.index
        if self.partial:  # no 0 * inf from ignored rows: selected out
            keep = self.ignore_mask
            if xp is numpy:  # zeroed in place
                dropped = ~keep
                gx[dropped] = 0
                c[dropped] = 0
                # their rows taken out of gW's product only where their x is not finite
                if not numpy.isfinite(xc[dropped]).all():
                    index, xc, c = index[keep], xc[keep], c[keep]
            else:  # (selections: no synchronisation)
                keep, zero = keep[:, None], xc.dtype.type(0)
                c, gx = xp.where(keep, c, zero), xp.where(keep, gx, zero)
                xc = xp.where(keep, xc, zero)
        gW = array_utils.scatter_rows(Wc.shape[0], index, xc, c)
        return gx.astype(x.dtype, copy=False), gW.astype(W.dtype, copy=False)

    def backward(self, indexes, grad_outputs):
        x, W, gy = self.get_retained_inputs()
        ggx, ggW = grad_outputs
        xp = backend.get_array_module(x.array)
        n_rows, n_samples = self.index.shape
        sign = _signs(xp, n_samples, x.dtype)
        mask = self.ignore_mask.astype(x.dtype)

        w = get_item(W, self.index)                                 # (B, K, D)
        ggw_rows = None if ggW is None else get_item(ggW, self.index)
        if self.partial:  # ignored rows as zeros, so that nothing flows through them
            x, ggx = _kept_rows(x, self.ignore_mask), _kept_rows(ggx, self.ignore_mask)
            w, ggw_rows = _kept_rows(w, self.ignore_mask), _kept_rows(ggw_rows, self.ignore_mask)
        xb = broadcast_to(expand_dims(x, 1), w.shape)
        sig = sigmoid(_sum(w * xb, axis=2) * sign)                  # (B, K)
        g = broadcast_to(gy, (n_rows,)) * mask
        gk = broadcast_to(expand_dims(g, 1), sig.shape)
        c = gk * sig * sign                                         # d loss / d score
        # u: the change of the scores along (ggx, ggW).
        u = None
        if ggx is not None:
            u = _sum(w * broadcast_to(expand_dims(ggx, 1), w.shape), axis=2)
        if ggW is not None:
            ggw = _sum(ggw_rows * xb, axis=2)
            u = ggw if u is None else u + ggw
        if u is None:
            return (None,) * len(indexes)
        a = u * gk * sig * (1 - sig)                                # (B, K)

        ret = []
        for i in indexes:
            if i == 0:  # x
                terms = _sum(broadcast_to(expand_dims(a, 2), w.shape) * w, axis=1)
                if ggW is not None:
                    terms = terms + _sum(
                        broadcast_to(expand_dims(c, 2), w.shape) * ggw_rows, axis=1)
                ret.append(terms)
            elif i == 1:  # W
                vals = broadcast_to(expand_dims(a, 2), w.shape) * xb
                if ggx is not None:
                    vals = vals + broadcast_to(expand_dims(c, 2), w.shape) * \
                        broadcast_to(expand_dims(ggx, 1), w.shape)
                zeros = chainer.Variable(xp.zeros(W.shape, W.dtype), requires_grad=False)
                ret.append(scatter_add(zeros, self.index, vals))
            else:  # gy
                rows = _sum(u * sig * sign, axis=1) * mask
                ret.append(_sum(rows) if self.reduce == 'sum' else rows)
        return tuple(ret)


def negative_sampling(x: VariableOrArray, t: VariableOrArray, W: VariableOrArray,
                      sampler: Callable[[tuple[int, ...]], NdArray], sample_size: int,
                      reduce: str = 'sum', **kwargs: Any) -> Variable | tuple[Variable, NdArray]:
    """Negative sampling loss: ``-log sigmoid(w_t . x) - sum log sigmoid(-w_n . x)``
    over ``sample_size`` negatives ``n`` drawn by ``sampler``.

    Args:
        x: Input vectors (B, D).
        t: Target word ids (B,), int32; ``-1`` entries are ignored.
        W: Output word embeddings (V, D).
        sampler: Callable taking a shape and returning int arrays of sampled ids (for
            example ``WalkerAlias(counts).sample``).
        sample_size: Number of negatives per example.
        reduce: ``'sum'`` or ``'no'`` (one loss per example).
        return_samples (bool): Also return the sampled ids (B, sample_size + 1), whose
            first column is ``t`` (keyword only).

    Returns:
        The loss Variable, and the samples if ``return_samples`` is True.
    """
    return_samples, = argument.parse_kwargs(kwargs, ('return_samples', False))
    func = NegativeSamplingFunction(sampler, sample_size, reduce)
    loss, = func.apply((x, t, W))
    if return_samples:
        return loss, func.samples
    return loss
