"""Bilinear: a learnable bilinear form of two inputs."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import backend
from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.connection.bilinear import bilinear
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import InitializerSpec


def _check_array_shape(value: Any, shape: tuple, name: str) -> None:
    # Chainer asserted the shape: the error is also an AssertionError.
    if isinstance(value, backend.get_array_types()) and value.shape != shape:
        raise _ValueAssertionError(f'{name} must have shape {shape}; got {value.shape}')


class Bilinear(link.Link):
    """Bilinear layer: ``y_k = e1^T W_k e2 + V1_k^T e1 + V2_k^T e2 + b_k``.

    Args:
        left_size: Size of the first input vectors ``e1``.
        right_size: Size of the second input vectors ``e2``.
        out_size: Size of the output vectors.
        nobias: If True, only the bilinear term ``W`` is used.
        initialW: Initializer (or array of shape
            ``(left_size, right_size, out_size)``) for ``W``.
        initial_bias: None, or a tuple ``(initialV1, initialV2, initialb)``
            of initializers for ``V1`` ``(left_size, out_size)``, ``V2``
            ``(right_size, out_size)`` and ``b`` ``(out_size,)``. None means
            the default initializer for ``V1``/``V2`` and zero for ``b``.

    Attributes:
        W, V1, V2, b (~chainer.Parameter): The parameters (no ``V1``, ``V2``,
            ``b`` when ``nobias``).
    """

    def __init__(self, left_size: int, right_size: int, out_size: int, nobias: bool = False,
                 initialW: InitializerSpec | None = None,
                 initial_bias: InitializerSpec | None = None) -> None:
        super().__init__()
        self.in_sizes = (left_size, right_size)
        self.nobias = nobias

        with self.init_scope():
            shape = (left_size, right_size, out_size)
            _check_array_shape(initialW, shape, 'initialW')
            self.W = variable.Parameter(initializers._get_initializer(initialW), shape)

            if not nobias:
                V1_shape = (left_size, out_size)
                V2_shape = (right_size, out_size)
                b_shape = (out_size,)
                if isinstance(initial_bias, tuple):
                    if len(initial_bias) != 3:
                        raise ValueError(
                            'initial_bias must be a tuple (initialV1, initialV2, '
                            f'initialb); got a tuple of length {len(initial_bias)}')
                    initialV1, initialV2, initialb = initial_bias
                    _check_array_shape(initialV1, V1_shape, 'initialV1')
                    _check_array_shape(initialV2, V2_shape, 'initialV2')
                    _check_array_shape(initialb, b_shape, 'initialb')
                elif initial_bias is None:
                    initialV1 = initialV2 = None
                    initialb = 0
                else:
                    raise ValueError('initial_bias must be tuple or None')

                self.V1 = variable.Parameter(
                    initializers._get_initializer(initialV1), V1_shape)
                self.V2 = variable.Parameter(
                    initializers._get_initializer(initialV2), V2_shape)
                self.b = variable.Parameter(
                    initializers._get_initializer(initialb), b_shape)

    def forward(self, e1: Any, e2: Any) -> variable.Variable:
        """Applies the bilinear form to the batches ``e1`` and ``e2``."""
        if self.nobias:
            return bilinear(e1, e2, self.W)
        return bilinear(e1, e2, self.W, self.V1, self.V2, self.b)

    def zero_grads(self) -> None:
        """Same as :meth:`zerograds` (kept for backward compatibility)."""
        self.zerograds()
