"""Elementwise sum with a broadcast bias."""
from __future__ import annotations

from typing import TYPE_CHECKING


import chainer
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.utils import type_check
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _expanded(x, y, axis: int, name: str):
    """``y`` reshaped to line up with ``x`` from ``axis`` on and broadcast to ``x``.

    As in Chainer, ``y.shape == x.shape[axis:axis + y.ndim]`` is enforced in debug
    mode only; otherwise any ``y`` whose reshaped form broadcasts to ``x`` works.
    """
    x_shape = x.shape
    y_shape = y.shape
    if not type_check._is_int(axis):
        raise TypeError(f'axis must be int, not {type(axis).__name__}')
    axis = int(axis)
    if axis < 0:
        # Chainer counts a negative axis from the end of x's shape.
        axis += len(x_shape)
    if not 0 <= axis <= len(x_shape) - len(y_shape):
        raise type_check.InvalidType(
            'x.shape[axis:axis + y.ndim] == y.shape',
            f'x.shape: {x_shape}, y.shape: {y_shape}, axis: {axis}',
            f'{name}: the shape of y must match x.shape[axis:axis + y.ndim]')
    if chainer.is_debug() and tuple(x_shape[axis:axis + len(y_shape)]) != tuple(y_shape):
        # Chainer's debug-mode check was an ``assert``.
        raise _ValueAssertionError(
            f'{name}: the shape of y must match x.shape[axis:axis + y.ndim] in debug mode '
            f'(x.shape: {x_shape}, y.shape: {y_shape}, axis: {axis})')
    y1 = reshape(y, (1,) * axis + tuple(y_shape) + (1,) * (len(x_shape) - axis - len(y_shape)))
    return broadcast_to(y1, x_shape)


def bias(x: VariableOrArray, y: VariableOrArray, axis: int = 1) -> Variable:
    """``x + y`` with ``y`` broadcast along the axes of ``x`` starting at ``axis``.

    Args:
        x: Input Variable or array.
        y: Bias; its shape must equal ``x.shape[axis:axis + y.ndim]``.
        axis: The first axis of ``x`` along which ``y`` is applied.
    """
    return x + _expanded(x, y, axis, 'bias')
