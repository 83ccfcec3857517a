"""Cumulative product along an axis."""
from __future__ import annotations

from chainer.functions.array.concat import concat
from chainer.functions.array.reshape import reshape
from chainer.functions.math.cumsum import _Cumulative


class Cumprod(_Cumulative):
    """Cumulative product along an axis (of the flattened array when the axis is None)."""

    _op = 'cumprod'

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        return super().forward(inputs)

    def backward(self, indexes, grad_outputs):
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
        return self._unflatten(gx),


def cumprod(x, axis=None):
    """Cumulative product of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumprod(axis).apply((x,))[0]
