"""Padding variable-length sequences into one array."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.utils import argument
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class PadSequence(function_node.FunctionNode):
    """Stacks sequences into a (batch, length, ...) array padded with ``padding``."""

    def __init__(self, length, padding) -> None:
        self.length = None if length is None else argument._int_like(length, 'length')
        self.padding = padding

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        for i in range(type_check.eval(in_types.size())):
            in_type = in_types[i]
            type_check._argname((in_type,), (f'x{i}',))
            type_check.expect(
                in_type.ndim > 0,
                in_type.shape[1:] == in_types[0].shape[1:],
                in_type.dtype == in_types[0].dtype,
            )
        if self.length is not None:
            for i in range(type_check.eval(in_types.size())):
                type_check.expect(in_types[i].shape[0] <= self.length)

    def forward(self, xs):
        xp = backend.get_array_module(*xs)
        length = max(len(x) for x in xs) if self.length is None else self.length
        y = xp.empty((len(xs), length) + xs[0].shape[1:], xs[0].dtype)
        # a cast, not an assignment, so that -1 pads unsigned arrays with their
        # maximum as NumPy 1 (and Chainer) did instead of overflowing
        padding = xp.asarray(self.padding).astype(y.dtype)
        for i, x in enumerate(xs):
            n = len(x)
            y[i, :n] = x
            y[i, n:] = padding
        return y,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        return tuple(gy[i, :self.inputs[i].shape[0]] for i in indexes)


def pad_sequence(xs: Sequence[VariableOrArray], length: int | None = None,
                 padding: float = 0) -> Variable:
    """Pads the sequences ``xs`` (shapes (L_i, ...)) into one (len(xs), length, ...) Variable.

    Args:
        xs: Variables or arrays of the same dtype and trailing shape.
        length: The padded length; defaults to the longest sequence.
        padding: Value (scalar or array broadcastable to one step) for the padding.
    """
    function_node._check_inputs_sequence(xs, 'F.pad_sequence')
    return PadSequence(length, padding).apply(xs)[0]
