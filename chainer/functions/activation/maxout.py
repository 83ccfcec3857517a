"""Maxout: maximum over groups of units."""
from __future__ import annotations

import numpy

from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.utils import array as array_utils
from chainer.utils import type_check


class _MaxOverPool(function_node.FunctionNode):
    """Maximum over axis ``axis + 1`` of the pooled view of the input; labelled
    ``Max`` as Chainer's maxout graph (``Reshape`` then ``Max``) shows it."""

    def __init__(self, axis: int):
        self.axis = axis

    @property
    def label(self):
        return 'Max'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        xr, = inputs
        # Chainer's Max node kept both arrays; their nodes' data show them.
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        a = self.axis + 1
        y = array_utils.extremum(xr, a)
        mask = array_utils.equal_to_kept(xr, y, a)
        # Every maximal element gets the gradient, as Chainer's max does.
        self.mask = mask
        self._pooled_shape = xr.shape
        return utils.force_array(y.reshape(y.shape[:a] + y.shape[a + 1:])),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        shape = list(self._pooled_shape)
        shape[self.axis + 1] = 1
        return broadcast_to(reshape(gy, tuple(shape)), self._pooled_shape) * self.mask,


def maxout(x, pool_size: int, axis: int = 1):
    """Maxout: splits ``axis`` into groups of ``pool_size`` units and keeps the
    maximum of each group.

    Args:
        x: Input Variable or array of a float dtype.
        pool_size (int): Number of units per group; must divide ``x.shape[axis]``.
        axis (int): The axis to pool over.

    Returns:
        ~chainer.Variable: Output whose ``axis`` is ``pool_size`` times shorter.
    """
    if isinstance(pool_size, bool) or not isinstance(pool_size, (int, numpy.integer)):
        raise TypeError(f'pool_size must be an integer, got {type(pool_size).__name__}')
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
    y, = _MaxOverPool(axis).apply((reshape(x, pooled_shape),))
    return y
