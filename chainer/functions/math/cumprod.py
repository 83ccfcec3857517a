"""Cumulative product along an axis."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.concat import concat
from chainer.functions.math.cumsum import _check_int_axis
from chainer.utils import type_check


class Cumprod(function_node.FunctionNode):
    """Cumulative product along an axis (of the flattened array when the axis is None)."""

    def __init__(self, axis=None) -> None:
        self.axis = _check_int_axis(axis)

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')
        if self.axis is not None:
            if self.axis >= 0:
                type_check.expect(self.axis < x_type.ndim)
            else:
                type_check.expect(-self.axis - 1 < x_type.ndim)

    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        self._in_shape = x.shape
        xp = backend.get_array_module(x)
        return utils.force_array(xp.cumprod(x, axis=self.axis), x.dtype),

    def backward(self, indexes, grad_outputs):
        from chainer.functions.array.reshape import reshape
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        if self.axis is None:
            axis = 0
            x = reshape(x, (x.size,))
        else:
            axis = self.axis % x.ndim
        n = x.shape[axis]
        if n <= 1:
            gx = gy
        else:
            # With z_j = gy_j + x_{j+1} z_{j+1} (from the end), gx_j = y_{j-1} z_j.
            # The recurrence needs no division, so zeros in x are handled exactly.
            lead = (slice(None),) * axis

            def at(v, j):
                return v[lead + (slice(j, j + 1),)]

            z = at(gy, n - 1)
            parts = [None] * n
            parts[n - 1] = at(y, n - 2) * z
            for j in range(n - 2, -1, -1):
                z = at(gy, j) + at(x, j + 1) * z
                parts[j] = z if j == 0 else at(y, j - 1) * z
            gx = parts[0] if len(parts) == 1 else concat(parts, axis)
        if self.axis is None:
            gx = reshape(gx, self._in_shape)
        return gx,


def cumprod(x, axis=None):
    """Cumulative product of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumprod(axis).apply((x,))[0]
