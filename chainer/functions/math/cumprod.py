"""Cumulative product along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.array.concat import concat
from chainer.functions.array.reshape import reshape
from chainer.functions.math.cumsum import _Cumulative

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


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
            # gx_j = y_{j-1} r_j with r_j = gy_j + x_{j+1} r_{j+1} (from the end),
            # which needs no division, so zeros in x are handled exactly.
            r = _suffix_recurrence(_along(x, axis, 1, n), gy, axis)
            gx = concat((_along(r, axis, 0, 1), _along(y, axis, 0, n - 1) * _along(r, axis, 1, n)),
                        axis)
        return self._unflatten(gx),


def _along(v, axis: int, start: int, stop: int):
    """``v[start:stop]`` along ``axis``."""
    return v[(slice(None),) * axis + (slice(start, stop),)]


def _suffix_recurrence(a, b, axis: int):
    """``r`` with ``r_j = b_j + a_j * r_{j+1}`` along ``axis`` and ``r_n = 0``, where
    ``a`` has one entry less than ``b`` along ``axis``.

    Solved by doubling the span of the recurrence, ``ceil(log2(n))`` steps of whole
    arrays: after the step of span ``s``, ``r_j = b_j + a_j * r_{j+s}``.
    """
    n = b.shape[axis]
    span = 1
    while span < n:
        m = n - span
        head_b = _along(b, axis, 0, m) + _along(a, axis, 0, m) * _along(b, axis, span, n)
        b = concat((head_b, _along(b, axis, m, n)), axis)
        if 2 * span < n:
            # Only a_j with j + 2 span < n are used again.
            head_a = _along(a, axis, 0, m - 1) * _along(a, axis, span, n - 1)
            a = concat((head_a, _along(a, axis, m - 1, n - 1)), axis)
        span *= 2
    return b


def cumprod(x: VariableOrArray, axis: int | None = None) -> Variable:
    """Cumulative product of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumprod(axis).apply((x,))[0]
