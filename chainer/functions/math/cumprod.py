"""Cumulative product along an axis."""
from __future__ import annotations

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.cumsum import _check_int_axis
from chainer.utils import type_check


class _Concat(function_node.FunctionNode):
    """Concatenation along an axis (a minimal private helper)."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        for t in in_types:
            type_check.expect(t.dtype == in_types[0].dtype, t.ndim == in_types[0].ndim,
                              t.ndim > self.axis)

    def forward(self, inputs):
        self._sizes = [x.shape[self.axis] for x in inputs]
        xp = backend.get_array_module(*inputs)
        return xp.concatenate(inputs, axis=self.axis),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        ret = []
        start = 0
        offsets = []
        for s in self._sizes:
            offsets.append((start, start + s))
            start += s
        lead = (slice(None),) * self.axis
        for i in indexes:
            b, e = offsets[i]
            ret.append(gy[lead + (slice(b, e),)])
        return tuple(ret)


def _concat(xs, axis: int):
    if len(xs) == 1:
        return xs[0]
    return _Concat(axis).apply(tuple(xs))[0]


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
            gx = _concat(parts, axis)
        if self.axis is None:
            gx = reshape(gx, self._in_shape)
        return gx,


def cumprod(x, axis=None):
    """Cumulative product of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumprod(axis).apply((x,))[0]
