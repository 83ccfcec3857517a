"""The Intel64 (iDeep) backend; iDeep is not supported by rechainer.

The names exist so code written for Chainer imports and takes its NumPy path:
:func:`is_ideep_available` is always ``False``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import _backend
from chainer.configuration import config  # NOQA: F401 (Chainer exposes it here)

if TYPE_CHECKING:
    from chainer.types import NdArray

_IDEEP_MESSAGE = (
    'iDeep (the Intel64 backend) is not supported by rechainer; '
    'use the CPU (@numpy) or a CUDA GPU (@cupy:N) instead.')

ideep = None
_ideep_version = None
_error = None


class mdarray:
    """Placeholder for ``ideep4py.mdarray`` (isinstance checks are always ``False``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise RuntimeError(_IDEEP_MESSAGE)


class Intel64Device(_backend.Device):
    """The Intel64 (iDeep) device; constructing it raises :class:`RuntimeError`."""

    __slots__ = ()

    name = '@intel64'
    xp = numpy
    supported_array_types = (numpy.ndarray, mdarray)

    def __init__(self) -> None:
        check_ideep_available()

    def __repr__(self) -> str:
        return f'<{type(self).__name__}>'

    @staticmethod
    def from_array(array: NdArray) -> None:
        """Always ``None``: no array lives on an Intel64 device here."""
        return None

    def send_array(self, array: NdArray) -> Any:
        raise RuntimeError(_IDEEP_MESSAGE)


def is_ideep_available() -> bool:
    """Always ``False``: rechainer has no iDeep support."""
    return False


def check_ideep_available() -> None:
    """Raises :class:`RuntimeError` (iDeep is never available)."""
    raise RuntimeError(_IDEEP_MESSAGE)


def should_use_ideep(level: str) -> bool:
    """Whether iDeep should be used: always ``False``, iDeep being unavailable.

    As in Chainer without iDeep, neither ``level`` nor ``config.use_ideep`` is checked.
    """
    return False


def inputs_all_ready(inputs: Any, supported_ndim: tuple = (2, 4)) -> bool:
    """Whether iDeep can take ``inputs``: always ``False``."""
    return False
