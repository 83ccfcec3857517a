"""Elementwise maximum of two variables."""
from __future__ import annotations

from typing import TYPE_CHECKING
import operator

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class SelectGrad(function_node.FunctionNode):
    """Routes ``gy`` to ``x1`` where ``cond`` holds and to ``x2`` where ``cond2`` does
    (by default, wherever ``cond`` does not). With ``cond2`` (the minimum's) a NumPy
    ``gy`` is multiplied by the masks, as in Chainer.

    The masks have the broadcast shape; each gradient is summed back to the
    shape of its input.
    """

    is_elementwise = True

    def __init__(self, cond, shape1, shape2, cond2=None):
        self.cond = cond
        self.cond2 = cond2
        self.shape1 = shape1
        self.shape2 = shape2

    def forward(self, inputs):
        gy, = inputs
        if self.cond2 is not None and type(gy) is numpy.ndarray:
            # Chainer's CPU minimum: gy times each mask (-0.0 where gy < 0 is
            # masked, NaN where an infinite gy is)
            return (utils.force_array(utils.sum_to(gy * self.cond, self.shape1)),
                    utils.force_array(utils.sum_to(gy * self.cond2, self.shape2)))
        zero = gy.dtype.type(0)
        gx1 = utils.force_array(utils.array.select(self.cond, gy, zero))
        if self.cond2 is None:
            gx2 = utils.force_array(utils.array.select(self.cond, zero, gy))
        else:
            gx2 = utils.force_array(utils.array.select(self.cond2, gy, zero))
        return (utils.force_array(utils.sum_to(gx1, self.shape1)),
                utils.force_array(utils.sum_to(gx2, self.shape2)))

    def backward(self, indexes, grad_outputs):
        ggx1, ggx2 = grad_outputs
        cond = self.cond
        ggy = None
        if ggx1 is not None:
            ggy = broadcast_to(ggx1, cond.shape) * cond.astype(ggx1.dtype)
        if ggx2 is not None:
            cond2 = ~cond if self.cond2 is None else self.cond2
            part = broadcast_to(ggx2, cond.shape) * cond2.astype(ggx2.dtype)
            ggy = part if ggy is None else ggy + part
        return ggy,


class _Extremum(function_node.FunctionNode):
    """Elementwise maximum or minimum (the ufunc named ``_ufunc``), broadcasting; the
    gradient goes to ``x1`` where ``_to_x1(x1, x2)`` holds (ties included), and to
    ``x2`` where ``_to_x2`` holds (if set; else everywhere else, NaN included)."""

    is_elementwise = True
    _ufunc = ''
    _to_x1 = operator.ge
    _to_x2 = None

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('x1', 'x2'))

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x1, x2 = inputs
        xp = backend.get_array_module(x1)
        return utils.force_array(getattr(xp, self._ufunc)(x1, x2)),

    def backward(self, indexes, grad_outputs):
        x1, x2 = self.get_retained_inputs()
        cond = utils.force_array(self._to_x1(x1.array, x2.array))
        cond2 = (None if self._to_x2 is None
                 else utils.force_array(self._to_x2(x1.array, x2.array)))
        return SelectGrad(cond, x1.shape, x2.shape, cond2).apply(grad_outputs)


class Maximum(_Extremum):
    """Elementwise maximum (broadcasting)."""

    _ufunc = 'maximum'


def maximum(x1: VariableOrArray, x2: VariableOrArray) -> Variable:
    """Elementwise maximum of two float variables of the same dtype (broadcasting)."""
    return Maximum().apply((x1, x2))[0]
