"""The ChainerX backend; ChainerX is not part of rechainer.

:class:`ChainerxDevice` exists so ``isinstance`` checks and imports work, but
constructing it raises :class:`RuntimeError`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import chainerx
from chainer import _backend

if TYPE_CHECKING:
    from chainer.types import DeviceSpec
    from chainer.types import NdArray

_chainerx_available = False

_CHAINERX_MESSAGE = chainerx._NOT_AVAILABLE_MESSAGE


class ChainerxDevice(_backend.Device):
    """A ChainerX device; constructing it raises :class:`RuntimeError`."""

    __slots__ = ('device',)

    xp = chainerx
    supported_array_types = (chainerx.ndarray,)

    def __init__(self, device: DeviceSpec) -> None:
        chainerx._not_available()

    @staticmethod
    def from_array(array: NdArray) -> None:
        """Always ``None``: there are no ChainerX arrays."""
        return None

    @staticmethod
    def from_fallback_device(device: DeviceSpec) -> 'ChainerxDevice':
        """Raises :class:`RuntimeError` (ChainerX is not available)."""
        chainerx._not_available()

    def send_array(self, array: NdArray) -> Any:
        chainerx._not_available()


def _array_to_chainerx(array: Any, device: Any = None) -> Any:
    chainerx._not_available()


def _array_from_chainerx(array: Any) -> Any:
    """Identity for every non-ChainerX array (there are no ChainerX arrays)."""
    return array


def to_chx(array: Any) -> Any:
    """Converts arrays to ChainerX; without ChainerX arrays are returned unchanged."""
    return _backend._convert_arrays(array, _check_array)


def from_chx(array: Any) -> Any:
    """Converts ChainerX arrays back; without ChainerX this is the identity."""
    return _backend._convert_arrays(array, _check_array)


def _check_array(array: Any) -> Any:
    from chainer import backend
    if array is None or isinstance(array, backend.get_array_types()):
        return array
    raise TypeError(f'expected an array, got {type(array).__name__}: {array!r}')
