"""Discriminative margin-based clustering loss (for instance segmentation embeddings)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer.functions.activation.relu import relu
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.get_item import get_item
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.functions.math.basic_math import absolute
from chainer.functions.math.sqrt import sqrt
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class DiscriminativeMarginBasedClusteringLoss:
    """Pulls the embeddings of each instance to their mean and pushes the means apart.

    Args:
        delta_v: Margin of the variance (pull) term.
        delta_d: Margin of the distance (push) term.
        max_embedding_dim: Number of instance labels (labels ``1..max_embedding_dim``;
            0 is background).
        norm: 1 (L1) or 2 (L2) distance.
        alpha, beta, gamma: Weights of the variance, distance and regularization terms.
    """

    def __init__(self, delta_v=0.5, delta_d=1.5, max_embedding_dim=10, norm=1,
                 alpha=1.0, beta=1.0, gamma=0.001):
        self.delta_v = delta_v
        self.delta_d = delta_d
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.max_embedding_dim = max_embedding_dim
        if self.max_embedding_dim <= 0:
            raise ValueError('max_embedding_dim must be positive')
        if norm == 1:
            self.norm = self._l1
        elif norm == 2:
            self.norm = self._l2
        else:
            raise ValueError('For discriminative loss, norm can only be 1 or 2. '
                             f'Obtained the value : {norm}')

    @staticmethod
    def _l1(x, axis=None):
        return _sum(absolute(x), axis=axis)

    @staticmethod
    def _l2(x, axis=None):
        s = _sum(x * x, axis=axis)
        # sqrt has no derivative at 0 (masked-out pixels, absent instances): use 0 there
        zero = (s.array == 0).astype(s.dtype)
        return sqrt(s + zero) * (1 - zero)

    def __call__(self, embeddings, labels):
        """Returns the weighted terms ``(alpha * l_var, beta * l_dist, gamma * l_reg)``
        (whose sum is the loss) for embeddings (B, C, H, W) and integer labels
        (B, H, W)."""
        emb = chainer.as_variable(embeddings)
        labels = _util.as_array(labels)
        if emb.dtype.kind != 'f' or emb.ndim != 4:
            # InvalidType as Chainer's inner checks mostly raised; TypeError as before
            raise type_check._InvalidTypeError(
                'embeddings a 4-dimensional float array (batch, dims, height, width)',
                f'{emb.dtype} {emb.shape}')
        # Chainer compared the labels with each instance id, so float and bool
        # labels select their pixels too.
        if labels.dtype.kind not in 'iufb' or labels.shape != emb.shape[:1] + emb.shape[2:]:
            raise type_check._InvalidTypeError(
                f'labels an integer array of shape {emb.shape[:1] + emb.shape[2:]}',
                f'{labels.dtype} {labels.shape}')
        xp = backend.get_array_module(emb.array)
        labels = array_utils.on_device_of(labels, emb.array)
        dtype = emb.dtype
        n_dim = self.max_embedding_dim
        batch = emb.shape[0]
        clusters = xp.arange(1, n_dim + 1).reshape(n_dim, 1, 1, 1)
        # ms[c, b, 0, h, w]: pixel (b, h, w) belongs to instance c + 1
        ms = (labels[None] == clusters)[:, :, None].astype(dtype)
        emb5 = reshape(emb, (1,) + emb.shape)
        full = (n_dim,) + emb.shape
        emb5 = broadcast_to(emb5, full)
        mns = _sum(emb5 * xp.broadcast_to(ms, full), axis=(3, 4))
        counts = xp.maximum(ms.sum(axis=(2, 3, 4)), 1)[:, :, None]
        mns = mns / counts.astype(dtype)

        l_reg = _sum(self.norm(mns, (1, 2))) * (1.0 / (n_dim * batch))

        mns_exp = broadcast_to(reshape(mns, mns.shape + (1, 1)), full)
        l_var = self.norm((mns_exp - emb5) * xp.broadcast_to(ms, full), 2)
        l_var = relu(l_var - self.delta_v) ** 2
        l_var = _sum(l_var, (1, 2, 3))
        l_var = l_var / xp.maximum(ms.sum(axis=(1, 2, 3, 4)), 1).astype(dtype)
        l_var = _sum(l_var) * (1.0 / n_dim)

        l_dist = chainer.Variable(xp.zeros((), dtype), requires_grad=False)
        count = 0
        for c_a in range(n_dim):
            for c_b in range(c_a + 1, n_dim):
                dist = self.norm(get_item(mns, c_a) - get_item(mns, c_b), 1)
                l_dist = l_dist + _sum(relu(2 * self.delta_d - dist) ** 2)
                count += 1
        l_dist = l_dist * (1.0 / max(count * batch, 1))
        return self.alpha * l_var, self.beta * l_dist, self.gamma * l_reg


def discriminative_margin_based_clustering_loss(
        embeddings: VariableOrArray, labels: VariableOrArray, delta_v: float, delta_d: float,
        max_embedding_dim: int, norm: int = 1, alpha: float = 1.0, beta: float = 1.0,
        gamma: float = 0.001) -> tuple[Variable, Variable, Variable]:
    """Discriminative loss of instance embeddings (De Brabandere et al., 2017).

    Args:
        embeddings: Pixel embeddings (B, C, H, W).
        labels: Instance ids (B, H, W); 0 is background, ``1..max_embedding_dim``
            are instances.
        delta_v, delta_d: Pull and push margins.
        max_embedding_dim: Number of instance ids.
        norm: 1 or 2.
        alpha, beta, gamma: Weights of the variance, distance and regularization terms.

    Returns:
        tuple: The variance, distance and regularization terms multiplied by
        ``alpha``, ``beta`` and ``gamma`` (scalar Variables); the loss is their sum.
    """
    loss = DiscriminativeMarginBasedClusteringLoss(
        delta_v, delta_d, max_embedding_dim, norm, alpha, beta, gamma)
    return loss(embeddings, labels)

