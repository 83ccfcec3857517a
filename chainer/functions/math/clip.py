"""Clipping of values to an interval."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Clip(function_node.FunctionNode):
    """Elementwise clipping of ``x`` to ``[x_min, x_max]``."""

    is_elementwise = True

    def __init__(self, x_min, x_max):
        if x_min is None and x_max is None:
            raise ValueError('must set either max or min')
        if x_min is not None and x_max is not None and x_min >= x_max:
            raise ValueError('x_min must be less than x_max.')
        self.x_min = x_min
        self.x_max = x_max

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        # one fresh array, the second bound applied in place
        y = None
        if self.x_min is not None:
            y = xp.maximum(x, x.dtype.type(self.x_min), out=xp.empty_like(x))
        if self.x_max is not None:
            y = xp.minimum(x if y is None else y, x.dtype.type(self.x_max),
                           out=xp.empty_like(x) if y is None else y)
        return utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        x = x.array
        xp = backend.get_array_module(x)
        cond = xp.ones(x.shape, dtype=bool)
        if self.x_min is not None:
            cond &= x >= x.dtype.type(self.x_min)
        if self.x_max is not None:
            cond &= x <= x.dtype.type(self.x_max)
        return ClipGrad(cond).apply(grad_outputs)


class ClipGrad(function_node.FunctionNode):
    """Passes the gradient where ``cond`` holds (``x_min <= x <= x_max``), zero elsewhere."""

    is_elementwise = True

    def __init__(self, cond):
        self.cond = cond

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('gy',))
        type_check.expect(in_types[0].dtype.kind == 'f',
                          in_types[0].shape == self.cond.shape)

    def forward(self, inputs):
        gy, = inputs
        return utils.force_array(gy * self.cond, gy.dtype),

    def backward(self, indexes, grad_outputs):
        # Linear in gy: the same mask applies again.
        return ClipGrad(self.cond).apply(grad_outputs)


def clip(x: VariableOrArray, x_min: float | None, x_max: float | None) -> Variable:
    """Elementwise clipping of ``x`` to ``[x_min, x_max]``.

    Either bound may be ``None`` (no bound on that side), but not both. The
    gradient is passed where ``x_min <= x <= x_max`` and is zero elsewhere.
    """
    return Clip(x_min, x_max).apply((x,))[0]
