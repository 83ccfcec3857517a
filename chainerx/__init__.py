"""Stand-in for the ChainerX package, as in a Chainer built without ChainerX.

:func:`is_available` returns ``False``; :class:`ndarray` and :class:`Device`
exist for ``isinstance`` checks; everything that would need ChainerX raises
an error that is both a :class:`RuntimeError` and, as the missing names of
Chainer's stand-in did, an :class:`AttributeError`.
"""
from __future__ import annotations

from typing import Any, NoReturn

_NOT_AVAILABLE_MESSAGE = (
    'ChainerX is not available in rechainer; use NumPy (@numpy) or CuPy '
    '(@cupy:N) devices instead.')


def is_available() -> bool:
    """Always ``False``: rechainer ships without ChainerX."""
    return False


class _NotAvailableError(RuntimeError, AttributeError):
    """ChainerX is needed but not available."""


def _not_available() -> NoReturn:
    raise _NotAvailableError(_NOT_AVAILABLE_MESSAGE)


class ndarray:
    """Placeholder for ``chainerx.ndarray`` (no instance can exist)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_available()


class Device:
    """Placeholder for ``chainerx.Device`` (no instance can exist)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_available()


class DeviceScope:
    """Placeholder for ``chainerx.DeviceScope`` (no instance can exist)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_available()


class Backend:
    """Placeholder for ``chainerx.Backend`` (no instance can exist)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_available()


class Context:
    """Placeholder for ``chainerx.Context`` (no instance can exist)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _not_available()


def get_device(*args: Any, **kwargs: Any) -> NoReturn:
    """Raises :class:`RuntimeError` (ChainerX is not available)."""
    _not_available()


def get_default_device() -> NoReturn:
    """Raises :class:`RuntimeError` (ChainerX is not available)."""
    _not_available()


def set_default_device(device: Any) -> NoReturn:
    """Raises :class:`RuntimeError` (ChainerX is not available)."""
    _not_available()


def using_device(*args: Any, **kwargs: Any) -> NoReturn:
    """Raises :class:`RuntimeError` (ChainerX is not available)."""
    _not_available()


def get_backend(*args: Any, **kwargs: Any) -> NoReturn:
    """Raises :class:`RuntimeError` (ChainerX is not available)."""
    _not_available()


def get_default_context() -> NoReturn:
    """Raises :class:`RuntimeError` (ChainerX is not available)."""
    _not_available()


def __getattr__(name: str) -> Any:
    raise AttributeError(
        f"module 'chainerx' has no attribute {name!r} "
        '(ChainerX is not available in rechainer)')
