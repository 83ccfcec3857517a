"""Cumulative product along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node
from chainer.functions.array.concat import concat
from chainer.functions.array.flip import flip
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


class _SuffixRecurrence(function_node.FunctionNode):
    """``r`` with ``r_j = b_j + a_j * r_{j+1}`` along ``axis`` and ``r_{n-1} = b_{n-1}``,
    where ``a`` has one entry less than ``b`` along ``axis``.

    Solved one step at a time from the end, as Chainer did: each ``a_j`` multiplies
    only ``r_{j+1}``, so an infinite ``a_j`` next to a zero ``a_{j+1}`` gives no
    ``inf * 0`` that the exact recurrence does not have.
    """

    def __init__(self, axis: int):
        self.axis = axis

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        a, b = inputs
        lead = (slice(None),) * self.axis
        r = b.copy()
        for j in range(b.shape[self.axis] - 2, -1, -1):
            r[lead + (j,)] += a[lead + (j,)] * r[lead + (j + 1,)]
        return r,

    def backward(self, indexes, grad_outputs):
        a, = self.get_retained_inputs()
        r, = self.get_retained_outputs()
        g, = grad_outputs
        axis = self.axis
        n = r.shape[axis]
        # The adjoint of b runs the same recurrence the other way:
        # gb_j = g_j + a_{j-1} gb_{j-1}; and ga_j = gb_j r_{j+1}.
        gb = flip(_SuffixRecurrence(axis).apply((flip(a, axis), flip(g, axis)))[0], axis)
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(_along(gb, axis, 0, n - 1) * _along(r, axis, 1, n))
            else:
                ret.append(gb)
        return tuple(ret)


def _suffix_recurrence(a, b, axis: int):
    """``r`` with ``r_j = b_j + a_j * r_{j+1}`` along ``axis`` and ``r_n = 0``."""
    return _SuffixRecurrence(axis).apply((a, b))[0]


def cumprod(x: VariableOrArray, axis: int | None = None) -> Variable:
    """Cumulative product of ``x`` along ``axis`` (over the flattened array when None)."""
    return Cumprod(axis).apply((x,))[0]
