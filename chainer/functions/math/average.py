"""(Weighted) average over axes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.math.sum import Sum
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Mean(Sum):
    """Mean of array elements over the given axes.

    It is the array's own ``mean``, as in Chainer: float16 is summed and divided in
    float32 and rounded once.
    """

    def forward(self, inputs):
        x, = inputs
        self._in_shape = x.shape
        divider = x.size if self.axis is None else int(numpy.prod(
            [x.shape[a] for a in self.axis]))
        self.multiplier = 1.0 / divider
        return utils.force_array(array_utils.mean(x, self.axis, self.keepdims), x.dtype),

    def backward(self, indexes, grad_outputs):
        return super().backward(indexes, (grad_outputs[0] * self.multiplier,))


def average(x: VariableOrArray, axis: int | Sequence[int] | None = None,
            weights: VariableOrArray | None = None, keepdims: bool = False) -> Variable:
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
                raise type_check._InvalidAxis(f'-{ndim} <= axis < {ndim}', f'axis {axis}')
            if axis < 0:
                axis += ndim
            if weights.size != x.shape[axis]:
                raise type_check._InvalidValue(
                    f'weights: 1-D of length x.shape[{axis}] = {x.shape[axis]} '
                    'when axis is given', f'shape {weights.shape}')
            w_shape = tuple(d if i == axis else 1 for i, d in enumerate(x.shape))
            weights = broadcast_to(reshape(weights, w_shape), x.shape)
        elif weights.shape != x.shape:
            raise type_check._InvalidValue(
                f'weights: the shape of x {x.shape} when axis is None',
                f'shape {weights.shape}')
        x = x * weights
    else:
        return Mean(axis, keepdims).apply((x,))[0]

    x_sum = _sum(x, axis, keepdims)
    return x_sum / broadcast_to(divider, x_sum.shape)
