"""Mean squared error."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class MeanSquaredError(function_node.FunctionNode):
    """``sum((x0 - x1) ** 2) / size``."""

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('x0', 'x1'), same_shape=True)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x0, x1 = inputs
        diff = _compute_difference(x0, x1)
        loss = diff.dot(diff) / diff.dtype.type(diff.size) if diff.size else \
            diff.dtype.type(numpy.nan)
        return utils.force_array(loss, x0.dtype),

    def backward(self, indexes, grad_outputs):
        x0, x1 = self.get_retained_inputs()
        grads = MeanSquaredErrorGrad(x0.size).apply((x0, x1, grad_outputs[0]))
        return tuple(grads[i] for i in indexes)


def _compute_difference(x0, x1):
    """``as_compute((x0 - x1).ravel())``: the difference in the inputs' dtype, in the
    compute dtype; for large float16 NumPy arrays written a block at a time into
    the float32 result (no whole float16 difference beside it)."""
    block = array_utils._COMPUTE_BLOCK  # (in_compute_blocks' block of float32 values)
    if (x0.dtype == x1.dtype == numpy.float16 and type(x0) is type(x1) is numpy.ndarray
            and x0.size > 2 * block
            and x0.flags.c_contiguous and x1.flags.c_contiguous):
        a, b = x0.reshape(-1), x1.reshape(-1)
        diff = numpy.empty(a.size, numpy.float32)
        for i in range(0, a.size, block):
            diff[i:i + block] = a[i:i + block] - b[i:i + block]
        return diff
    return as_compute((x0 - x1).ravel())


class MeanSquaredErrorGrad(function_node.FunctionNode):
    """``(gx0, gx1) = (c * gy * diff, -c * gy * diff)`` with ``c = 2 / size`` and
    ``diff = x0 - x1``; inputs ``(x0, x1, gy)``.

    The difference is computed again rather than kept from the forward pass, so
    that the graph holds no array beyond the two retained inputs (as in Chainer).
    """

    def __init__(self, size: int) -> None:
        self.coeff = 2.0 / max(size, 1)

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x0, x1, gy = inputs
        d = x0 - x1
        c = d.dtype.type(self.coeff)
        if isinstance(gy, numpy.ndarray) and gy != 1:
            gx0 = utils.force_array(d * gy, d.dtype)  # Chainer's (gy * d) * c
            gx0 *= c
        else:
            # the same where gy is 1 (and on a GPU, no host check of gy)
            gx0 = utils.force_array(d * (gy * c), d.dtype)
        return gx0, -gx0

    def backward(self, indexes, grad_outputs):
        x0, x1, gy = self.get_retained_inputs()
        hc = _util.difference(*grad_outputs) * self.coeff  # formed once, read by each
        ret = []
        g = None
        for i in indexes:
            if i == 2:
                ret.append(_sum(hc * (x0 - x1)))
                continue
            if g is None:
                g = hc * broadcast_to(gy, hc.shape)  # Chainer's order
            ret.append(g if i == 0 else -g)
        return tuple(ret)


def mean_squared_error(x0: VariableOrArray, x1: VariableOrArray) -> Variable:
    """Mean of the squared differences of ``x0`` and ``x1`` (a scalar Variable)."""
    return MeanSquaredError().apply((x0, x1))[0]
