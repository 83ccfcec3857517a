"""The base class of array initializers and the fan-in/fan-out helper."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import utils
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import DTypeSpec
    from chainer.types import NdArray


class Initializer:
    """Base class of initializers: ``initializer(array)`` fills ``array`` in place.

    Args:
        dtype: The dtype of the arrays this initializer fills, or None for any
            dtype (arrays created for it then get ``chainer.config.dtype``).
    """

    def __init__(self, dtype: DTypeSpec | None = None) -> None:
        self.dtype = dtype

    def __call__(self, array: NdArray) -> None:
        """Fills ``array`` (a NumPy or CuPy array) in place."""
        raise NotImplementedError()

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, None, _pickle_compat.initializer_state)

    def _check_dtype(self, array: Any) -> None:
        # Subclasses call this first so that a wrong dtype never fills silently.
        dtype = self.dtype
        if dtype is not None and array.dtype != numpy.dtype(dtype):
            raise _ValueAssertionError(
                f'dtype mismatch: {type(self).__name__} has dtype '
                f'{numpy.dtype(dtype)} but the array to initialize is {array.dtype}')


def get_fans(shape: tuple) -> tuple[int, int]:
    """Returns ``(fan_in, fan_out)`` of a weight of ``shape``.

    ``shape[0]`` is the output size, ``shape[1]`` the input size and the
    remaining axes (if any) the receptive field, which scales both fans.
    """
    if not isinstance(shape, tuple):
        raise ValueError(f'shape must be tuple. Actual type: {type(shape)}')
    if len(shape) < 2:
        raise ValueError(f'shape must be of length >= 2. Actual shape: {shape}')
    receptive_field_size = utils.size_of_shape(shape[2:])
    fan_in = shape[1] * receptive_field_size
    fan_out = shape[0] * receptive_field_size
    return fan_in, fan_out


def _pop_rng(owner: str, kwargs: dict) -> Any:
    # Random initializers accept only ``rng`` as a keyword argument.
    kwargs = dict(kwargs)
    rng = kwargs.pop('rng', None)
    if kwargs:
        names = ', '.join(repr(k) for k in kwargs)
        raise TypeError(f'{owner}() got unexpected keyword argument(s) {names}')
    return rng


def _fill_from_rng(array: Any, sample: Any) -> None:
    # ``sample`` comes from a user-supplied generator and may be a Python
    # scalar or live on another device than ``array``.
    if numpy.isscalar(sample):
        sample = numpy.asarray(sample)
    backend.copyto(array, sample.astype(array.dtype, copy=False))
