"""Copying an array to a device."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.error import _none_input_error

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Copy(function_node.FunctionNode):
    """Copies its input to ``out_device``; the gradient goes back to ``in_device``."""

    def __init__(self, in_device, out_device) -> None:
        self._in_device = in_device
        self.out_device = out_device

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def forward(self, inputs):
        x, = inputs
        y = self.out_device.send(x)
        if y is x:
            # Same device: still hand out a new array, as the name promises.
            with backend.using_device(self.out_device):
                y = x.copy()
        return y,

    def backward(self, indexes, grad_outputs):
        return Copy(self.out_device, self._in_device).apply(grad_outputs)


def copy(x: VariableOrArray, dst: Any) -> Variable:
    """Copies ``x`` to the device ``dst``; the gradient is copied back.

    Args:
        x: Variable or array.
        dst: A device specifier (see :func:`chainer.get_device`) or a legacy
            integer id (``-1`` is the CPU, ``N >= 0`` the GPU ``N``).

    Returns:
        ~chainer.Variable: The copy on ``dst``.
    """
    array = x.array if isinstance(x, chainer.Variable) else x
    if array is None:
        # Chainer returned a Variable without data; ours failed reading None.copy
        raise _none_input_error('input 0 of Copy', 'copy')
    in_device = backend.get_device_from_array(array)
    out_device = backend.get_device(dst)
    return Copy(in_device, out_device).apply((x,))[0]
