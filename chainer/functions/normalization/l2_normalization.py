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


def _normalize_grad(x, gy, eps: float, axes: tuple) -> 'chainer.Variable':
    """The gradient of :func:`_normalize` given ``gy``, with ``r`` the masked norm
    and ``n = r + eps``: ``(gy * n - (sum(x * gy) / r) * x) / n ** 2``, Chainer's form
    (bit-identical results)."""
    F = chainer.functions
    cdt = array_utils.compute_dtype(x.dtype)
    xc = x if x.dtype == cdt else F.cast(x, cdt)
    gc = gy if gy.dtype == cdt else F.cast(gy, cdt)
    sq = F.sum(xc * xc, axis=axes, keepdims=True)
    zero = sq.array == 0
    r = F.sqrt(F.where(zero, backend.get_array_module(zero).ones_like(sq.array), sq))
    n = r * (~zero).astype(cdt) + cdt.type(eps)
    dot = F.sum(gc * xc, axis=axes, keepdims=True) / r
    gx = ((gc * F.broadcast_to(n, x.shape) - F.broadcast_to(dot, x.shape) * xc)
          / F.broadcast_to(n ** 2, x.shape))
    return gx if gx.dtype == x.dtype else F.cast(gx, x.dtype)


def _in_compute(fn, arrays: tuple, axes: tuple | None):
    """``fn`` (in the compute dtype) of ``arrays``, in their dtype: float16 a block
    of samples at a time where the norms leave the first axis out (each sample is
    normalized alone), else in whole float32 copies."""
    ndim = arrays[0].ndim
    if axes is not None and all(a % ndim != 0 for a in axes):
        return array_utils.in_compute_blocks(fn, arrays, per_sample=True)
    return fn(*[array_utils.as_compute(a) for a in arrays]).astype(arrays[0].dtype, copy=False)


class NormalizeL2(_composite.CompositeNode):
    """The node of :func:`normalize`: input ``(x,)``.

    The forward pass computes the arrays directly (the same operations as the
    composition); the gradient is a :class:`NormalizeL2Grad` node.
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
        return _in_compute(self._forward, (x,), self.axis),

    def _forward(self, xc):
        """``y`` of ``xc``, in its dtype (the compute dtype)."""
        xp = backend.get_array_module(xc)
        cdt = xc.dtype
        sq = array_utils.sum(xc * xc, axis=self.axis, keepdims=True)
        zero = sq == 0
        norm = xp.sqrt(xp.where(zero, cdt.type(1), sq)) * (~zero).astype(cdt) + cdt.type(self.eps)
        return xc / norm

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return NormalizeL2Grad(self.eps, self.axis).apply((x, grad_outputs[0]))

    def _compose(self, x):
        axes = self.axis
        return _normalize(x, self.eps, axes)


class NormalizeL2Grad(_composite.CompositeNode):
    """The gradient of :func:`normalize` given ``(x, gy)``: :func:`_normalize_grad`,
    computed (float16 a block of samples at a time, where the norms leave the first
    axis out) and differentiated as a composition."""

    def __init__(self, eps: float, axis: tuple | None) -> None:
        self.eps = eps
        self.axis = axis

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        return _in_compute(self._forward, (x, gy), self.axis),

    def _forward(self, xc, gc):
        with chainer.no_backprop_mode():
            return _normalize_grad(chainer.Variable(xc), chainer.Variable(gc), self.eps,
                                   self.axis).array

    def _compose(self, x, gy):
        return _normalize_grad(x, gy, self.eps, self.axis)
