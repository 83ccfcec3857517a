"""Identity function."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_node

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Identity(function_node.FunctionNode):
    """Passes its inputs through unchanged (any number, any dtype)."""

    def forward(self, xs):
        return xs

    def backward(self, indexes, gys):
        return gys


def identity(*inputs: VariableOrArray) -> Variable | tuple[Variable, ...]:
    """Returns the inputs as new Variables in the graph (one Variable for one input)."""
    ret = Identity().apply(inputs)
    return ret[0] if len(ret) == 1 else ret
