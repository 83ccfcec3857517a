"""Parameter: a link holding a single parameter array."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.math.identity import identity

if TYPE_CHECKING:
    from chainer.types import NdArray


class Parameter(link.Link):
    """Link that holds one parameter ``W`` and returns it when called.

    Lets a bare array take part in a model (optimization, serialization,
    device transfer) like any other link.

    Args:
        array: Initial value of the parameter.

    Attributes:
        W (~chainer.Parameter): The parameter.
    """

    def __init__(self, array: NdArray) -> None:
        if not isinstance(array, backend.get_array_types()):
            raise TypeError(f'Parameter link needs an array, got {type(array).__name__}')
        super().__init__()
        with self.init_scope():
            self.W = variable.Parameter(array)
        # Chainer made W with a NaN initializer and then set the array, so
        # that copy(mode='init') gives a NaN-filled W.
        self.W.initializer = initializers.NaN(array.dtype)
        # As every link's initialized parameter (and Chainer's Parameter link), the
        # gradient starts as NaN until the first cleargrads/backward.
        if array.dtype.kind == 'f':
            self.W.grad = backend.get_array_module(array).full_like(array, numpy.nan)

    def forward(self, volatile: Any = 'off') -> variable.Variable:
        """A copy of ``W`` in the graph, through two ``Identity`` nodes as in Chainer.

        ``volatile``, an argument of Chainer's first versions, is accepted and ignored.
        """
        return identity(identity(self.W))
