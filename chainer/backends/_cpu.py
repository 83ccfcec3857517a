"""The CPU (NumPy) backend."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import _backend
from chainer.backends import cuda  # circular: only used inside functions

if TYPE_CHECKING:
    from chainer.types import NdArray


class CpuDevice(_backend.Device):
    """The CPU device; arrays are :class:`numpy.ndarray`."""

    __slots__ = ()

    name = '@numpy'
    xp = numpy
    supported_array_types = (numpy.ndarray,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CpuDevice)

    def __ne__(self, other: object) -> bool:
        return not isinstance(other, CpuDevice)

    def __hash__(self) -> int:
        return hash('@numpy')

    def __repr__(self) -> str:
        return f'<{type(self).__name__} (numpy)>'

    # Entering the CPU device has no effect; skip the context bookkeeping.
    def __enter__(self) -> 'CpuDevice':
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        return None

    @staticmethod
    def from_array(array: NdArray) -> 'CpuDevice | None':
        """Returns a :class:`CpuDevice` if ``array`` is a NumPy array, else ``None``."""
        if isinstance(array, numpy.ndarray):
            return CpuDevice()
        return None

    def send_array(self, array: NdArray) -> Any:
        return _array_to_cpu(array)


def _array_to_cpu(array: Any) -> Any:
    """Returns ``array`` as a NumPy array (scalars become 0-d arrays)."""
    if array is None:
        return None
    if isinstance(array, numpy.ndarray):
        return array
    if cuda.available and isinstance(array, cuda.ndarray):
        return array.get()
    if numpy.isscalar(array):  # numbers, strings and bytes, as in Chainer
        return numpy.asarray(array)
    raise TypeError(
        'Array cannot be converted into a numpy.ndarray.\n'
        f'Actual type: {type(array)}.')


def _to_cpu(array: Any) -> Any:
    """Converts an array or a nested tuple/list/dict of arrays to NumPy."""
    return _backend._convert_arrays(array, _array_to_cpu)
