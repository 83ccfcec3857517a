"""Base classes of serializers (writers) and deserializers (readers)."""
from __future__ import annotations

from typing import Any


class AbstractSerializer:
    """Visits an object hierarchy: ``s[name]`` descends, ``s(key, value)`` handles a value."""

    def __getitem__(self, key: str) -> 'AbstractSerializer':
        raise NotImplementedError

    def __call__(self, key: str, value: Any) -> Any:
        raise NotImplementedError


class Serializer(AbstractSerializer):
    """Writes the state of objects."""

    def save(self, obj: Any) -> None:
        """Saves ``obj`` by calling its ``serialize`` method with this serializer."""
        obj.serialize(self)


class Deserializer(AbstractSerializer):
    """Reads the state of objects."""

    def load(self, obj: Any) -> None:
        """Loads ``obj`` by calling its ``serialize`` method with this deserializer."""
        obj.serialize(self)
