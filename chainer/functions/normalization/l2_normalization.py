"""L2 normalization of vectors along an axis."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer.utils import array as array_utils
from chainer.utils import argument
from chainer.utils import type_check
from chainer.functions import _composite

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


def normalize(x: VariableOrArray, eps: float = 1e-5,
              axis: int | tuple[int, ...] | None = 1) -> 'chainer.Variable':
    """Divides ``x`` by its L2 norm along ``axis`` plus ``eps``:
    ``y = x / (sqrt(sum(x ** 2, axis)) + eps)``.

    Zero vectors stay zero, with finite gradients of every order.

    Args:
        x: Input array of a float dtype.
        eps (float): Added to the norm to avoid division by zero.
        axis (int or tuple of int): Axis (axes) along which the norm is taken; None
            takes it over all axes.
    """
    return NormalizeL2(eps, axis).apply((x,))[0]


def _normalize(x, eps: float, axes: tuple) -> 'chainer.Variable':
    """The composition that :class:`NormalizeL2` differentiates."""
    F = chainer.functions
    xa = x.array
    cdt = array_utils.compute_dtype(xa.dtype)
    xc = x if xa.dtype == cdt else F.cast(x, cdt)
    sq = F.sum(xc * xc, axis=axes, keepdims=True)
    # sqrt has no derivative at 0: take it of 1 there and mask the result.
    zero = sq.array == 0
    safe = F.where(zero, backend.get_array_module(xa).ones_like(sq.array), sq)
    norm = F.sqrt(safe) * (~zero).astype(cdt) + cdt.type(eps)
    y = xc / F.broadcast_to(norm, xa.shape)
    return y if y.dtype == xa.dtype else F.cast(y, xa.dtype)


class NormalizeL2(_composite.CompositeNode):
    """The node of :func:`normalize`: input ``(x,)``.

    The forward pass computes the arrays directly (the same operations as the
    composition); with ``r`` the masked norm and ``n = r + eps``, the gradient is
    ``(gy - x * sum(gy * y) / r) / n``, written with differentiable functions.
    """

    def __init__(self, eps: float = 1e-5, axis: int | tuple[int, ...] | None = 1) -> None:
        self.eps = argument._real(eps, 'eps')
        # Always a tuple, as Chainer kept it: graph tools read ``axis`` off the node.
        # None takes the norm over all axes, as NumPy's sum did in Chainer.
        if axis is not None:
            axis = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        self.axis = axis

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, None)
        x_type, = in_types
        ndim = type_check.eval(x_type.ndim)
        for a in self.axis or ():
            if not -ndim <= a < ndim:
                # The AxisError NumPy raised in Chainer, with its text.
                raise type_check._InvalidAxis(
                    f'-{ndim} <= axis < {ndim}', f'axis={a}',
                    f'axis {a} is out of bounds for array of dimension {ndim}')

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        cdt = array_utils.compute_dtype(x.dtype)
        xc = x.astype(cdt, copy=False)
        axes = self.axis
        sq = array_utils.sum(xc * xc, axis=axes, keepdims=True)
        zero = sq == 0
        norm = xp.sqrt(xp.where(zero, cdt.type(1), sq)) * (~zero).astype(cdt) + cdt.type(self.eps)
        return (xc / norm).astype(x.dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        x, = self.get_retained_inputs()
        gy, = grad_outputs
        cdt = array_utils.compute_dtype(x.dtype)
        axes = self.axis
        xc = x if x.dtype == cdt else F.cast(x, cdt)
        gc = gy if gy.dtype == cdt else F.cast(gy, cdt)
        sq = F.sum(xc * xc, axis=axes, keepdims=True)
        zero = sq.array == 0
        r = F.sqrt(F.where(zero, backend.get_array_module(zero).ones_like(sq.array), sq))
        n = r * (~zero).astype(cdt) + cdt.type(self.eps)
        # Chainer's form (bit-identical results): (gy * n - (sum(x * gy) / r) * x) / n**2
        dot = F.sum(gc * xc, axis=axes, keepdims=True) / r
        gx = ((gc * F.broadcast_to(n, x.shape) - F.broadcast_to(dot, x.shape) * xc)
              / F.broadcast_to(n ** 2, x.shape))
        return (gx if gx.dtype == x.dtype else F.cast(gx, x.dtype)),

    def _compose(self, x):
        axes = self.axis
        return _normalize(x, self.eps, axes)
