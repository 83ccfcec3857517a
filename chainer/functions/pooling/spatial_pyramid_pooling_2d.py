"""Spatial pyramid pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer.functions.array.concat import concat
from chainer.functions.array.reshape import reshape
from chainer.functions.pooling.max_pooling_nd import max_pooling_2d

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['spatial_pyramid_pooling_2d']


def spatial_pyramid_pooling_2d(x: VariableOrArray, pyramid_height: int,
                               pooling: Any = None) -> Variable:
    """Spatial pyramid pooling: max pooling into 1x1, 2x2, 4x4, ... bins, concatenated.

    Args:
        x: Input of shape ``(n, c, h, w)``.
        pyramid_height: Number of levels; level ``l`` pools into ``2**l x 2**l`` bins.
        pooling: ``'max'`` (the only supported pooling; required).

    Returns:
        ~chainer.Variable of shape ``(n, c * sum_l 4**l, 1, 1)``.
    """
    if pooling is None:
        raise ValueError('pooling must be specified (only \'max\' is supported).')
    if pooling != 'max':
        raise ValueError(f'Unsupported pooling operation: {pooling!r}')
    if len(x.shape) != 4:
        raise ValueError(f'x must be 4-dimensional, got shape {x.shape}')
    h, w = x.shape[2:]
    ys = []
    for level in range(pyramid_height):
        bins = 2 ** level
        kh = -(-h // bins)
        kw = -(-w // bins)
        ph = (kh * bins - h) // 2
        pw = (kw * bins - w) // 2
        y = max_pooling_2d(x, (kh, kw), None, (ph, pw), cover_all=True)
        n, c, oh, ow = y.shape
        ys.append(reshape(y, (n, c * oh * ow, 1, 1)))
    return concat(ys, axis=1)
