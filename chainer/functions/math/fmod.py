"""Elementwise remainder of a division, with the sign of the dividend."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.fix import fix
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Fmod(function_node.FunctionNode):
    """Elementwise ``x - fix(x / divisor) * divisor`` (broadcasting)."""

    is_elementwise = True

    @property
    def label(self):
        return 'fmod'

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'divisor'))
        x_type, divisor_type = in_types
        type_check.expect(x_type.dtype == divisor_type.dtype, x_type.dtype.kind == 'f',
                          divisor_type.dtype.kind == 'f')
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's, in Chainer
            type_check.expect_broadcast_shapes(x_type.shape, divisor_type.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, divisor = inputs
        xp = backend.get_array_module(x)
        return utils.force_array(xp.fmod(x, divisor), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, divisor = self.get_retained_inputs()
        gy, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(sum_to(gy, x.shape))
            else:
                ret.append(sum_to(-(fix(x / divisor) * gy), divisor.shape))
        return tuple(ret)


def fmod(x: VariableOrArray, divisor: VariableOrArray) -> Variable:
    """Elementwise remainder of ``x / divisor`` with the sign of ``x`` (C ``fmod``)."""
    return Fmod().apply((x, divisor))[0]
