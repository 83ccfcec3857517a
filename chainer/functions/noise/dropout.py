"""Dropout: zeroes elements at random and scales the rest by ``1 / (1 - ratio)``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.backends import cuda
from chainer.utils import array as array_utils
from chainer.utils.argument import parse_kwargs
from chainer.utils import type_check

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable

_TRAIN_REMOVED = 'train argument is not supported anymore. Use chainer.using_config'


class Dropout(function_node.FunctionNode):
    """Multiplies the input by a random (or given) scaled 0/1 mask."""

    def __init__(self, dropout_ratio: float, mask=None, return_mask: bool = False) -> None:
        if not 0.0 <= dropout_ratio < 1.0:
            raise ValueError('dropout_ratio must be in the range [0, 1)')
        self.dropout_ratio = dropout_ratio
        self.mask = mask
        self.return_mask = return_mask

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        self.mask = array_utils.on_device_of(self.mask, x)
        if self.mask is None:
            xp = backend.get_array_module(x)
            scale = x.dtype.type(1.0 / (1 - self.dropout_ratio))
            if xp is numpy:
                flag = numpy.asarray(numpy.random.rand(*x.shape) >= self.dropout_ratio)
            else:
                # the mask and the output in one kernel after the draw
                self.mask, y = cuda.elementwise(
                    'float32 r, T x, float32 ratio, T scale', 'T mask, T y',
                    '''mask = r >= ratio ? scale : (T)0;
                       y = x * mask;''', 'rechainer_dropout')(
                        xp.random.rand(*x.shape, dtype=numpy.float32), x,
                        self.dropout_ratio, scale)
                return y,
            # bool * scalar of x's dtype: the mask has x's dtype.
            self.mask = utils.force_array(flag * scale)
        return utils.force_array(x * self.mask),

    def backward(self, indexes, grad_outputs):
        return DropoutGrad(self.mask).apply(grad_outputs)


class DropoutGrad(function_node.FunctionNode):
    """Multiplies by a fixed mask; the backward of :class:`Dropout` (and of itself)."""

    def __init__(self, mask) -> None:
        self.mask = mask

    def forward(self, inputs):
        return utils.force_array(inputs[0] * self.mask),

    def backward(self, indexes, grad_outputs):
        return DropoutGrad(self.mask).apply(grad_outputs)


def dropout(x: VariableOrArray, ratio: float = .5,
            **kwargs: Any) -> Variable | tuple[Variable, NdArray]:
    """Drops elements of ``x`` with probability ``ratio`` and scales the rest.

    Only in training mode (``chainer.config.train``); otherwise ``x`` is
    returned as it is (as a Variable).

    Args:
        x: Input Variable or array of floats.
        ratio: The probability of dropping an element, in ``[0, 1)``.
        mask: (keyword only) A mask to multiply ``x`` by instead of a random
            one (already scaled, e.g. one returned with ``return_mask``).
        return_mask: (keyword only) Also return the mask used (None outside
            training mode).

    Returns:
        ~chainer.Variable or tuple: The output, and the mask if ``return_mask``.
    """
    mask, return_mask = parse_kwargs(
        kwargs, ('mask', None), ('return_mask', False), train=_TRAIN_REMOVED)
    if chainer.config.train:
        func = Dropout(ratio, mask, return_mask)
        out, = func.apply((x,))
        mask = func.mask
    else:
        out = chainer.as_variable(x)
        mask = None
    if return_mask:
        return out, mask
    return out
