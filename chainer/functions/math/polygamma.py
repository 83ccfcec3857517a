"""Polygamma functions."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math._special import special as _special
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class PolyGamma(function_node.FunctionNode):
    """Elementwise polygamma function of integer order ``n`` (broadcasting)."""

    is_elementwise = True

    @property
    def label(self):
        return 'polygamma'

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('n', 'x'))
        n_type, x_type = in_types
        type_check.expect(n_type.dtype.kind == 'i', x_type.dtype.kind == 'f')
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's, in Chainer
            type_check.expect_broadcast_shapes(n_type.shape, x_type.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        n, x = inputs
        return utils.force_array(_special(x, 'polygamma', n), x.dtype),

    def backward(self, indexes, grad_outputs):
        n, x = self.get_retained_inputs()
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(None)  # the order is an integer
            else:
                n1 = chainer.Variable(utils.force_array(n.array + n.dtype.type(1)),
                                    requires_grad=False)
                ret.append(sum_to(grad_outputs[0] * polygamma(n1, x), x.shape))
        return tuple(ret)


def polygamma(n: VariableOrArray, x: VariableOrArray) -> Variable:
    """Elementwise polygamma function ``psi^(n)(x)``, the ``n``-th derivative of digamma.

    Args:
        n: Non-negative orders, an integer array (a Python ``int`` is also
            accepted). Not differentiable.
        x: Float input variable; broadcast with ``n``.
    """
    if isinstance(n, int) and not isinstance(n, bool):
        x_array = x.array if isinstance(x, chainer.Variable) else x
        xp = backend.get_array_module(x_array)
        n = xp.asarray(n, dtype=numpy.int32)
    return PolyGamma().apply((n, x))[0]
