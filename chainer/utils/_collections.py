"""Small container types."""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, MutableSet
from typing import Any


class OrderedSet(MutableSet):
    """A set that iterates in insertion order."""

    def __init__(self, iterable: Iterable[Hashable] = ()) -> None:
        self._items: dict = dict.fromkeys(iterable)

    def __contains__(self, item: Any) -> bool:
        return item in self._items

    def __iter__(self) -> Iterator:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Hashable) -> None:
        self._items[item] = None

    def discard(self, item: Hashable) -> None:
        self._items.pop(item, None)

    def __repr__(self) -> str:
        return f'{type(self).__name__}({list(self._items)!r})'
