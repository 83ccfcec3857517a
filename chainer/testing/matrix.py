"""Random matrices with prescribed singular values (``generate_matrix``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

if TYPE_CHECKING:
    from chainer.types import DTypeSpec


def _broadcast_to(array: numpy.ndarray, shape: tuple) -> numpy.ndarray:
    """``numpy.broadcast_to`` with a message naming both shapes."""
    try:
        return numpy.broadcast_to(array, shape)
    except ValueError:
        raise ValueError(
            f'singular_values of shape {array.shape} cannot be broadcast to {shape}') from None


def generate_matrix(shape: tuple, dtype: DTypeSpec = float, **kwargs: Any) -> numpy.ndarray:
    """Returns random matrices of ``shape`` ``(B..., M, N)`` with given singular values.

    Args:
        shape: Shape of the result; the last two axes are the matrix axes.
        dtype: A floating or complex dtype.
        singular_values: Non-negative real values broadcastable to
            ``(B..., min(M, N))`` (required keyword argument).
    """
    singular_values = kwargs.pop('singular_values', None)
    if kwargs:
        names = ', '.join(repr(k) for k in sorted(kwargs))
        raise TypeError(f'generate_matrix() got unexpected keyword argument(s) {names}')

    shape = tuple(shape)
    if len(shape) <= 1:
        raise ValueError(f'shape {shape} is invalid for matrices: too few axes')
    dtype = numpy.dtype(dtype)
    if dtype.kind not in 'fc':
        raise TypeError(f'dtype {dtype} is not supported')
    if singular_values is None:
        raise TypeError('singular_values is not given')
    singular_values = numpy.asarray(singular_values)
    if not numpy.isrealobj(singular_values):
        raise TypeError('singular_values is not real')
    if (singular_values < 0).any():
        raise ValueError('negative singular value is given')

    k = min(shape[-2:])
    sv = _broadcast_to(singular_values, shape[:-2] + (k,))
    if 0 in shape:
        return numpy.empty(shape, dtype=dtype)

    # Orthonormal factors of a random matrix, recombined with the wanted
    # singular values.
    a = numpy.random.randn(*shape)
    if dtype.kind == 'c':
        a = a + 1j * numpy.random.randn(*shape)
    u, s, vh = numpy.linalg.svd(a, full_matrices=False)
    a = numpy.einsum('...ik,...k,...kj->...ij', u, sv, vh)
    return a.astype(dtype)
