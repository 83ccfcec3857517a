"""Bias: adds a (learned or given) bias broadcast along some axes."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence

from chainer import link
from chainer import variable
from chainer.functions.math.bias import bias
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class Bias(link.Link):
    """Adds a bias to the input, broadcast from axis ``axis`` (see :func:`~chainer.functions.bias`).

    Args:
        axis: First axis of the input the bias is aligned with.
        shape: Shape of a learned bias ``b`` (initialised to 0). If None, the
            link has no parameter and the bias is the second argument of the call.

    Attributes:
        b (~chainer.Parameter): The learned bias (only when ``shape`` is given).
    """

    def __init__(self, axis: int = 1, shape: Optional[Sequence[int]] = None) -> None:
        super().__init__()
        if shape is not None:
            with self.init_scope():
                self.b = variable.Parameter(0, shape)
        self.axis = axis

    def forward(self, *xs: VariableOrArray) -> variable.Variable:
        """Returns ``x + b``: call with ``(x)`` when ``b`` is learned, else with ``(x, b)``."""
        if hasattr(self, 'b'):
            if len(xs) != 1:
                raise _ValueAssertionError(
                    f'Bias with a learned b takes one argument; got {len(xs)}')
            return bias(xs[0], self.b, self.axis)
        if len(xs) != 2:
            raise _ValueAssertionError(
                f'Bias without a learned b takes two arguments (x, b); got {len(xs)}')
        return bias(xs[0], xs[1], self.axis)
