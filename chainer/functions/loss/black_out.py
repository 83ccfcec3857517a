"""BlackOut loss."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.array.get_item import get_item
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.functions.loss.negative_sampling import _scores
from chainer.functions.math.exponential import exp
from chainer.functions.math.exponential import log
from chainer.functions.math.logsumexp import logsumexp
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.array import check_index_range

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def black_out(x: VariableOrArray, t: VariableOrArray, W: VariableOrArray, samples: VariableOrArray,
              reduce: str = 'mean') -> Variable:
    """BlackOut loss: a softmax over the target and sampled negative words.

    Args:
        x: Input vectors (B, D).
        t: Target word ids (B,).
        W: Output word embeddings (V, D).
        samples: Negative word ids (B, S).
        reduce: ``'mean'`` (averaged over the batch) or ``'no'``.
    """
    _util.check_reduce(reduce, ('mean', 'no'))
    x = chainer.as_variable(x)
    W = chainer.as_variable(W)
    t = _util.as_array(t)
    samples = _util.as_array(samples)
    if x.dtype.kind != 'f' or x.ndim != 2:
        raise type_check.InvalidType('x a 2-dimensional float array', f'{x.dtype} {x.shape}')
    if W.dtype.kind != 'f' or W.ndim != 2 or W.shape[1] != x.shape[1]:
        raise type_check.InvalidType(f'W a float array of shape (n_vocab, {x.shape[1]})',
                                     f'{W.dtype} {W.shape}')
    if W.dtype != x.dtype:
        # Mixed precisions compute in the wider one, as Chainer did.
        dtype = numpy.promote_types(x.dtype, W.dtype)
        x, W = cast(x, dtype), cast(W, dtype)
    batch = x.shape[0]
    if t.dtype.kind not in 'iu' or t.shape != (batch,):
        raise type_check.InvalidType(f't an integer array of shape ({batch},)',
                                     f'{t.dtype} {t.shape}')
    if samples.dtype.kind not in 'iu' or samples.ndim != 2 or samples.shape[0] != batch:
        raise type_check.InvalidType(f'samples an integer array of shape ({batch}, S)',
                                     f'{samples.dtype} {samples.shape}')
    xp = backend.get_array_module(x.array)
    # label and sample ids from another device move to x's, once
    t = array_utils.on_device_of(t, x.array)
    samples = array_utils.on_device_of(samples, x.array)
    check_index_range(t, W.shape[0], 'label t')
    check_index_range(samples, W.shape[0], 'sample')
    idx = xp.concatenate([t.reshape(batch, 1), samples], axis=1)
    y = _scores(x, W, idx)
    logz = logsumexp(y, axis=1)
    pos_y = get_item(y, (slice(None), 0))
    neg_y = get_item(y, (slice(None), slice(1, None)))
    blogz = broadcast_to(reshape(logz, (batch, 1)), neg_y.shape)
    ny = log(1.0 - exp(neg_y - blogz))
    loss = -(pos_y - logz + _sum(ny, axis=1))
    if reduce == 'mean':
        loss = _sum(loss) * (1.0 / max(batch, 1))
    return loss
