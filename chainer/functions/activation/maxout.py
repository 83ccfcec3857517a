"""Maxout: maximum over groups of units."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.array.reshape import reshape
from chainer.functions.math.minmax import max as max_
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def maxout(x: VariableOrArray, pool_size: int, axis: int = 1) -> Variable:
    """Maxout: splits ``axis`` into groups of ``pool_size`` units and keeps the
    maximum of each group.

    Args:
        x: Input Variable or array of a float dtype.
        pool_size (int): Number of units per group; must divide ``x.shape[axis]``.
        axis (int): The axis to pool over.

    Returns:
        ~chainer.Variable: Output whose ``axis`` is ``pool_size`` times shorter.
    """
    if not type_check._is_int(pool_size, zero_d=True):
        raise TypeError(f'pool_size must be an integer, got {type(pool_size).__name__}')
    pool_size = int(pool_size)
    if pool_size <= 0:
        raise ValueError('pool_size must be a positive integer.')
    x_shape = x.shape
    ndim = len(x_shape)
    if not -ndim <= axis < ndim:
        raise IndexError(f'axis {axis} is out of bounds for an input of {ndim} dimensions')
    axis = int(axis) % ndim
    if x_shape[axis] % pool_size != 0:
        expect = 'x.shape[axis] % pool_size == 0'
        actual = f'x.shape[axis]={x_shape[axis]}, pool_size={pool_size}'
        msg = 'axis dimension must be divided by pool_size'
        raise type_check.InvalidType(expect, actual, msg)
    pooled_shape = (x_shape[:axis] + (x_shape[axis] // pool_size, int(pool_size))
                    + x_shape[axis + 1:])
    # Chainer's composition, so that graph dumps and exports see Reshape and Max.
    return max_(reshape(x, pooled_shape), axis=axis + 1)
