"""Negative sampling loss."""
from __future__ import annotations

import numpy

import chainer
from chainer import backend
from chainer.functions.activation.softplus import softplus
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.get_item import get_item
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils.array import check_index_range


def _check(x, t, W) -> None:
    if x.dtype.kind != 'f' or x.ndim != 2:
        raise TypeError(f'x must be a 2-dimensional float array, got {x.dtype} {x.shape}')
    if t.dtype.kind != 'i' or t.ndim != 1 or t.shape[0] != x.shape[0]:
        raise TypeError(
            f't must be an integer array of shape ({x.shape[0]},), got {t.dtype} {t.shape}')
    if W.dtype != x.dtype or W.ndim != 2 or W.shape[1] != x.shape[1]:
        raise TypeError(
            f'W must be a {x.dtype} array of shape (n_vocab, {x.shape[1]}), '
            f'got {W.dtype} {W.shape}')
    check_index_range(t, W.shape[0], 'label t', ignore=-1)


def _scores(x, W, samples):
    """``W[samples] . x`` per sample: shape ``samples.shape``."""
    w = get_item(W, samples)
    batch, n, dim = w.shape
    xb = broadcast_to(reshape(x, (batch, 1, dim)), w.shape)
    return _sum(w * xb, axis=2)


def negative_sampling(x, t, W, sampler, sample_size, reduce='sum', **kwargs):
    """Negative sampling loss: ``-log sigmoid(w_t . x) - sum log sigmoid(-w_n . x)`` over
    ``sample_size`` negatives ``n`` drawn by ``sampler``.

    Args:
        x: Input vectors (B, D).
        t: Target word ids (B,); ``-1`` entries are ignored.
        W: Output word embeddings (V, D).
        sampler: Callable taking a shape and returning int arrays of sampled ids (for
            example ``WalkerAlias(counts).sample``).
        sample_size: Number of negatives per example.
        reduce: ``'sum'`` or ``'no'`` (one loss per example).
        return_samples (bool): Also return the sampled ids (B, sample_size + 1), whose
            first column is ``t``.
    """
    return_samples = kwargs.pop('return_samples', False)
    if kwargs:
        raise TypeError(f'got unexpected keyword argument(s) {", ".join(sorted(kwargs))}')
    _util.check_reduce(reduce, ('sum', 'no'))
    x = chainer.as_variable(x)
    W = chainer.as_variable(W)
    t = _util.as_array(t)
    _check(x, t, W)
    xp = backend.get_array_module(x.array)
    batch = t.shape[0]
    samples = backend.get_device_from_array(x.array).send(
        sampler((batch, sample_size + 1)))
    samples = xp.asarray(samples).astype(numpy.int32, copy=True)
    if xp is not numpy or chainer.is_debug():
        check_index_range(samples, W.shape[0], 'sampled id')
    samples[:, 0] = t
    mask = t != -1
    # the positive column counts as -score, the negatives as +score
    sign = xp.ones(samples.shape, x.dtype)
    sign[:, 0] = -1
    idx = xp.where(mask[:, None], samples, 0)
    wx = _scores(x, W, idx)
    loss = _sum(softplus(wx * sign), axis=1) * mask.astype(x.dtype)
    if reduce == 'sum':
        loss = _sum(loss)
    if return_samples:
        return loss, samples
    return loss
