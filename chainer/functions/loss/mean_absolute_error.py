"""Mean absolute error."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.utils import type_check
from chainer.utils import array as _array
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class MeanAbsoluteError(function_node.FunctionNode):
    """``sum(|x0 - x1|) / size``."""

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('x0', 'x1'), same_shape=True)

    def forward(self, inputs):
        x0, x1 = inputs
        xp = backend.get_array_module(x0)
        self.diff = x0 - x1
        diff = as_compute(self.diff.ravel())
        loss = _array.sum(xp.abs(diff)) / diff.dtype.type(diff.size) if diff.size else \
            diff.dtype.type(numpy.nan)
        return utils.force_array(loss, x0.dtype),

    def backward(self, indexes, grad_outputs):
        xp = backend.get_array_module(self.diff)
        gy, = grad_outputs
        scale = self.diff.dtype.type(1.0 / max(self.diff.size, 1))
        gx = broadcast_to(gy * scale, self.diff.shape) * xp.sign(self.diff)
        return tuple(gx if i == 0 else -gx for i in indexes)


def mean_absolute_error(x0: VariableOrArray, x1: VariableOrArray) -> Variable:
    """Mean of the absolute differences of ``x0`` and ``x1`` (a scalar Variable)."""
    return MeanAbsoluteError().apply((x0, x1))[0]
