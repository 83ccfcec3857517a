"""Maxout: a linear layer followed by a max over groups of units."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import initializer
from chainer import link
from chainer import variable
from chainer.functions.activation.maxout import maxout
from chainer.links.connection import linear

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


class Maxout(link.Chain):
    """Fully-connected maxout layer.

    Computes ``y_i = max_j (W_ij x + b_ij)`` for ``j`` in ``range(pool_size)``:
    a :class:`~chainer.links.Linear` with ``out_size * pool_size`` outputs
    followed by :func:`~chainer.functions.maxout`.

    Args:
        in_size: Size of each input vector.
        out_size: Size of each output vector.
        pool_size: Number of pieces each output is the max of.
        initialW: Initializer for the weight; an array must have shape
            ``(out_size, pool_size, in_size)``.
        initial_bias: Initializer for the bias; an array must have shape
            ``(out_size, pool_size)``. None means no bias.

    Attributes:
        linear (~chainer.links.Linear): The underlying linear layer.
    """

    def __init__(self, in_size: int, out_size: int, pool_size: int,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec = 0) -> None:
        super().__init__()
        linear_out_size = out_size * pool_size
        initialW = _flatten_initializer(
            initialW, 'initialW', (out_size, pool_size, in_size),
            (linear_out_size, in_size))
        initial_bias = _flatten_initializer(
            initial_bias, 'initial_bias', (out_size, pool_size), (linear_out_size,))

        with self.init_scope():
            self.linear = linear.Linear(
                in_size, linear_out_size, nobias=initial_bias is None,
                initialW=initialW, initial_bias=initial_bias)

        self.out_size = out_size
        self.pool_size = pool_size

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Applies the maxout layer to the batch ``x``."""
        return maxout(self.linear(x), self.pool_size)


def _flatten_initializer(init: Any, name: str, shape: tuple, flat_shape: tuple) -> Any:
    """Adapts an initializer for the Maxout shape ``shape`` to the Linear shape ``flat_shape``."""
    if init is None or numpy.isscalar(init) or isinstance(init, initializer.Initializer):
        return init
    if isinstance(init, backend.get_array_types()):
        if init.ndim != len(shape):
            raise ValueError(f'{name}.ndim should be {len(shape)}')
        if init.shape != shape:
            raise ValueError(f'{name} must have shape {shape}; got {init.shape}')
        return init.reshape(flat_shape)
    if callable(init):
        original = init

        def flat_init(array: Any) -> None:
            # A custom initializer sees the Maxout shape, so that fans etc.
            # come out as for a (out_size, pool_size, in_size) weight.
            original(array.reshape(shape))

        return flat_init
    raise TypeError(f'{name} must be an initializer, an array, a scalar or None; '
                    f'got {type(init).__name__}')
