"""Mean squared error."""
from __future__ import annotations

import numpy

import chainer
from chainer import function_node
from chainer import utils
from chainer.functions.loss import _util
from chainer.utils import type_check


def _check_pair(in_types, names=('x0', 'x1')) -> None:
    type_check._argname(in_types, names)
    a, b = in_types
    type_check.expect(a.dtype.kind == 'f', a.dtype == b.dtype, a.shape == b.shape)


class MeanSquaredError(function_node.FunctionNode):
    """``sum((x0 - x1) ** 2) / size``."""

    def check_type_forward(self, in_types):
        _check_pair(in_types)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x0, x1 = inputs
        self._diff = x0 - x1
        diff = self._diff.ravel()
        if diff.dtype == numpy.float16:
            diff = diff.astype(numpy.float32)
        loss = diff.dot(diff) / diff.dtype.type(diff.size) if diff.size else \
            diff.dtype.type(numpy.nan)
        return utils.force_array(loss, x0.dtype),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        if not chainer.config.enable_backprop:
            d = self._diff
            gx0 = d * (gy.array * d.dtype.type(2.0 / max(d.size, 1)))
            return _util.constant_grads(indexes, gx0)
        x0, x1 = self.get_retained_inputs()
        diff = x0 - x1
        gx0 = _util.broadcast_to(gy, diff.shape) * diff * (2.0 / max(diff.size, 1))
        ret = []
        if 0 in indexes:
            ret.append(gx0)
        if 1 in indexes:
            ret.append(-gx0)
        return tuple(ret)


def mean_squared_error(x0, x1):
    """Mean of the squared differences of ``x0`` and ``x1`` (a scalar Variable)."""
    return MeanSquaredError().apply((x0, x1))[0]
