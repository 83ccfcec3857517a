"""Type aliases for annotations (Chainer's ``chainer.types``).

Only the names Chainer exposes at run time live here; the rest of Chainer's
aliases existed for static checkers only.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

__all__ = ['TYPE_CHECKING', 'AbstractInitializer']


class AbstractInitializer(Protocol):
    """Anything that fills an array in place (``initializer(array)``)."""

    dtype: Any

    def __call__(self, array: Any) -> None: ...
