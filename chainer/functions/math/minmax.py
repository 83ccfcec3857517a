"""Maximum / minimum over axes and the indices of the extrema."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class _AxesWithBool(tuple):
    """Reduction axes holding a bool: a type of their own, so that a passed type
    check of the equal int axes (``True == 1``) is never reused for them."""

    __slots__ = ()


def _keepdims(keepdims):
    """``keepdims`` for NumPy: a ``numpy.bool_`` as a Python bool (NumPy 2's
    reductions refuse it; NumPy 1, under Chainer, took it)."""
    return bool(keepdims) if isinstance(keepdims, numpy.bool_) else keepdims


def _normalize_axis(axis):
    """Validates a reduction ``axis`` argument (None, int or tuple of ints).

    A bool passes as the int it is (as in Chainer), so the type check sees it
    as axis 0 or 1; :func:`_check_axes` refuses it after that check.
    """
    if axis is None:
        return None
    if type(axis) is int:  # the common case (not a bool)
        return (axis,)
    if isinstance(axis, (int, numpy.integer)):
        axis = (axis,)
    if isinstance(axis, tuple) and all(isinstance(a, (int, numpy.integer)) for a in axis):
        if len(set(axis)) != len(axis):
            raise ValueError(f'duplicate value in axis: ({", ".join(map(str, axis))})')
        if any(isinstance(a, bool) for a in axis):
            return _AxesWithBool(axis)
        return tuple(int(a) for a in axis)
    raise TypeError('None, int or tuple of int are required')


def _check_axes(x_type, axes) -> None:
    """Expects each of ``axes`` to be an axis of ``x_type``; then refuses a bool
    axis with ``TypeError``, as Chainer's array function did after its type check."""
    if axes is not None:
        type_check._expect_axes(x_type, *axes)
        if type(axes) is _AxesWithBool:
            raise TypeError('an integer is required for axis, got a bool')


def _reduced_axes(axes, ndim: int) -> tuple:
    if axes is None:
        return tuple(range(ndim))
    return tuple(sorted(a % ndim for a in axes))


class _SelectorBase(function_node.FunctionNode):
    """Common part of :class:`Max` and :class:`Min`."""

    def __init__(self, axis=None, keepdims: bool = False) -> None:
        self.axis = _normalize_axis(axis)
        self.keepdims = _keepdims(keepdims)

    def _fwd(self, x, xp):
        raise NotImplementedError

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)
        _check_axes(in_types[0], self.axis)

    def _last_axis_only(self, ndim: int) -> bool:
        """Whether the reduction is over the last axis alone (short ones go slice by slice)."""
        axes = self.axis
        return axes is not None and len(axes) == 1 and ndim > 0 and axes[0] % ndim == ndim - 1

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        x, = inputs
        if type(x) is numpy.ndarray and self._last_axis_only(x.ndim):
            y = array_utils.extremum(x, x.ndim - 1, self._maximum)
            return (y if self.keepdims else y.reshape(x.shape[:-1])),
        xp = backend.get_array_module(x)
        return utils.force_array(self._fwd(x, xp)),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0]
        y = self.get_retained_outputs()[0]
        gy, = grad_outputs
        axes = _reduced_axes(self.axis, x.ndim)
        kept_shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
        y_arr = y.array
        if not self.keepdims:
            gy = reshape(gy, kept_shape)
            y_arr = y_arr.reshape(kept_shape)
        # Every element equal to the extremum receives the full gradient (as Chainer).
        if self._last_axis_only(x.ndim):
            cond = array_utils.equal_to_kept(x.array, y_arr, x.ndim - 1)
        else:
            cond = x.array == y_arr
        cond = cond.astype(x.dtype, copy=False)
        return broadcast_to(gy, x.shape) * cond,


SelectorBase = _SelectorBase  # Chainer's public name


class Max(_SelectorBase):
    """Maximum over the given axes."""

    _maximum = True

    def _fwd(self, x, xp):
        return xp.amax(x, axis=self.axis, keepdims=self.keepdims)


class Min(_SelectorBase):
    """Minimum over the given axes."""

    _maximum = False

    def _fwd(self, x, xp):
        return xp.amin(x, axis=self.axis, keepdims=self.keepdims)


def max(x: VariableOrArray, axis: int | Sequence[int] | None = None,  # NOQA: A001
        keepdims: bool = False) -> Variable:
    """Maximum of array elements over ``axis`` (None, int or tuple of ints).

    The gradient flows to every element equal to the maximum.
    """
    return Max(axis, keepdims).apply((x,))[0]


def min(x: VariableOrArray, axis: int | Sequence[int] | None = None,  # NOQA: A001
        keepdims: bool = False) -> Variable:
    """Minimum of array elements over ``axis`` (None, int or tuple of ints).

    The gradient flows to every element equal to the minimum.
    """
    return Min(axis, keepdims).apply((x,))[0]


class _IndexSelectorBase(function_node.FunctionNode):
    """Common part of :class:`ArgMax` and :class:`ArgMin` (not differentiable)."""

    def __init__(self, axis=None) -> None:
        if axis is None:
            self.axis = None
        elif type_check._is_int(axis):
            self.axis = int(axis)
        else:
            raise TypeError('None or int are required')

    def _fwd(self, x, xp):
        raise NotImplementedError

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, None)
        x_type = in_types[0]
        if self.axis is None:
            with type_check._failing_as(type_check._InvalidValue):
                type_check.expect(x_type.size > 0)
        else:
            _check_axes(x_type, (self.axis,))
            with type_check._failing_as(type_check._InvalidValue):
                type_check.expect(x_type.shape[self.axis] > 0)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        return xp.asarray(self._fwd(x, xp)).astype(numpy.int32),

    def backward(self, indexes, grad_outputs):
        return None,


IndexSelectorBase = _IndexSelectorBase  # Chainer's public name


class ArgMax(_IndexSelectorBase):
    """Indices of the maximum (int32)."""

    def _fwd(self, x, xp):
        return xp.argmax(x, axis=self.axis)


class ArgMin(_IndexSelectorBase):
    """Indices of the minimum (int32)."""

    def _fwd(self, x, xp):
        return xp.argmin(x, axis=self.axis)


def argmax(x: VariableOrArray, axis: int | None = None) -> Variable:
    """Indices of the maximum along ``axis`` (the flattened array when None), as int32."""
    return ArgMax(axis).apply((x,))[0]


def argmin(x: VariableOrArray, axis: int | None = None) -> Variable:
    """Indices of the minimum along ``axis`` (the flattened array when None), as int32."""
    return ArgMin(axis).apply((x,))[0]
