"""Initializers that fill arrays with fixed values."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import initializer

if TYPE_CHECKING:
    from chainer.types import DTypeSpec
    from chainer.types import NdArray


class Identity(initializer.Initializer):
    """Fills a square 2-D array with ``scale`` times the identity matrix.

    Args:
        scale: The value on the diagonal.
        dtype: Data type of the arrays it fills (None: any).
    """

    def __init__(self, scale: float = 1.0, dtype: DTypeSpec | None = None) -> None:
        self.scale = scale
        super().__init__(dtype)

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        shape = array.shape
        if len(shape) != 2 or shape[0] != shape[1]:
            raise ValueError(
                'Identity matrix initialization can only be used for 2D squared '
                f'matrices; got shape {shape}.')
        xp = backend.get_array_module(array)
        # The product, as in Chainer: the zeros times scale are -0 for a negative
        # scale and NaN for an infinite or NaN one, and a complex scale keeps its
        # real part (with NumPy's ComplexWarning).
        array[...] = xp.identity(shape[0]) * self.scale


class Constant(initializer.Initializer):
    """Fills arrays with ``fill_value`` (a scalar, or an array broadcast to the shape).

    Args:
        fill_value: A scalar or a NumPy/CuPy array.
        dtype: Data type of the arrays it fills (None: any).
    """

    def __init__(self, fill_value: Any, dtype: DTypeSpec | None = None) -> None:
        if not (isinstance(fill_value, backend.get_array_types())
                or numpy.isscalar(fill_value)):
            raise ValueError(
                'fill_value must be either scalar, numpy.ndarray or cupy.ndarray; '
                f'got {type(fill_value).__name__}')
        self.fill_value = fill_value
        super().__init__(dtype)

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        fill_value = self.fill_value
        if not numpy.isscalar(fill_value):
            # The fill array may live on another device than the target.
            fill_value = backend.get_device_from_array(array).send(fill_value)
        try:
            array[...] = fill_value
        except (ValueError, OverflowError, TypeError):
            # NumPy 2 refuses a Python scalar the dtype cannot hold (NaN or -1 into
            # integers, a complex into reals); Chainer cast it as an array, so NaN
            # fills int32 with its minimum (with NumPy's RuntimeWarning), -1 fills
            # uint8 with 255 and 1+2j fills float32 with 1 (with a ComplexWarning).
            array[...] = backend.get_array_module(array).asarray(fill_value)


class Zero(Constant):
    """Fills arrays with zeros."""

    def __init__(self, dtype: DTypeSpec | None = None) -> None:
        super().__init__(0.0, dtype=dtype)


class One(Constant):
    """Fills arrays with ones."""

    def __init__(self, dtype: DTypeSpec | None = None) -> None:
        super().__init__(1.0, dtype=dtype)


class NaN(Constant):
    """Fills arrays with NaN (marks values that must be overwritten before use)."""

    def __init__(self, dtype: DTypeSpec | None = None) -> None:
        super().__init__(numpy.nan, dtype=dtype)
