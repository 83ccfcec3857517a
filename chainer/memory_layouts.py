"""Memory layout names (Chainer's experimental channel-last support).

rechainer stores every array in the default (channel-first) layout.  The
constants exist so that code naming them imports; asking for a layout other
than the default raises a ``ValueError``.
"""
from __future__ import annotations

from typing import Any

import chainer
from chainer import function_node
from chainer.utils import type_check  # NOQA: F401

# ``None`` is the default layout of each kind of array.
CUDNN_CHANNEL_FIRST_X = None
CUDNN_CHANNEL_FIRST_W = None
CUDNN_CHANNEL_LAST_X = 'CUDNN_CHANNEL_LAST_X'
CUDNN_CHANNEL_LAST_W = 'CUDNN_CHANNEL_LAST_W'

_KNOWN = (None, CUDNN_CHANNEL_LAST_X, CUDNN_CHANNEL_LAST_W)


def _check_layout(layout: Any) -> None:
    if layout not in _KNOWN:
        raise ValueError(f'unknown memory layout: {layout!r}')
    if layout is not None:
        raise ValueError(
            f'memory layout {layout} is not supported: arrays are kept in the '
            'default (channel-first) layout')


def get_raw_shape(x_or_arr: Any) -> tuple:
    """The shape of the array as stored in memory (of a Variable or an array)."""
    if isinstance(x_or_arr, chainer.Variable):
        arr = x_or_arr.raw_array
        if arr is None:
            return x_or_arr.shape
        return arr.shape
    return x_or_arr.shape


def get_semantic_shape(x_or_arr: Any, assumed_layout: Any = None) -> tuple:
    """The shape in the default layout; equal to the raw shape here."""
    _check_layout(assumed_layout)
    return get_raw_shape(x_or_arr)


def _transpose_shape(shape: tuple, src_layout: Any, dst_layout: Any) -> tuple:
    _check_layout(src_layout)
    _check_layout(dst_layout)
    return tuple(shape)


class AsLayout(function_node.FunctionNode):
    """Converts an array to another memory layout (only the default exists)."""

    def __init__(self, layout: Any) -> None:
        _check_layout(layout)
        self.y_layout = layout

    def forward(self, inputs: tuple) -> tuple:
        return inputs[0],

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        return grad_outputs[0],
