"""(Weighted) average over axes."""
from __future__ import annotations

import numpy

from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import sum as _sum


def average(x, axis=None, weights=None, keepdims=False):
    """Weighted average of ``x`` over ``axis``.

    Args:
        x: Input Variable or array (float).
        axis: None (all axes), an int or a tuple of ints. With ``weights``
            it must be None or a single axis.
        weights: None (all weights one) or a Variable/array of weights. With
            ``axis=None`` it has the shape of ``x``; with an axis it is 1-D of
            length ``x.shape[axis]``.
        keepdims: Keep the reduced axes with length one.

    Returns:
        ~chainer.Variable: The average.
    """
    if weights is not None:
        if isinstance(axis, tuple):
            if len(axis) > 1:
                raise ValueError('tuple axis is not supported when weights is given')
            axis = axis[0] if axis else None
        divider = _sum(weights)
        if axis is not None:
            ndim = x.ndim
            if not -ndim <= axis < ndim:
                raise ValueError(f'axis {axis} is out of bounds for an input of {ndim} '
                                 'dimensions')
            if axis < 0:
                axis += ndim
            if weights.size != x.shape[axis]:
                raise ValueError(
                    f'weights must be 1-D of length x.shape[{axis}] = {x.shape[axis]} '
                    f'when axis is given; got shape {weights.shape}')
            w_shape = tuple(d if i == axis else 1 for i, d in enumerate(x.shape))
            weights = broadcast_to(reshape(weights, w_shape), x.shape)
        elif weights.shape != x.shape:
            raise ValueError(
                f'weights must have the shape of x {x.shape} when axis is None; '
                f'got shape {weights.shape}')
        x = x * weights

    x_sum = _sum(x, axis, keepdims)
    if weights is None:
        # The sum has checked x and axis.
        if axis is None:
            divider = x.size
        else:
            axes = (axis,) if isinstance(axis, (int, numpy.integer)) else axis
            divider = 1
            for a in axes:
                divider *= x.shape[a]
    else:
        # Only a Variable divider needs broadcasting; a scalar one is a constant.
        divider = broadcast_to(divider, x_sum.shape)
    return x_sum / divider
