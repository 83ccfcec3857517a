"""Base classes of serializers (writers) and deserializers (readers)."""
from __future__ import annotations

import json
from typing import Any, Callable


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
    """Reads the state of objects.

    Loading may be two-phase: :meth:`load` of the library's deserializers
    first calls ``obj.serialize`` with :attr:`checking` true, a pass that
    reads and validates every value and writes no array (arrays are left
    alone, numbers and strings come back loaded, a ``None`` value gets a
    read-only array), then calls it again to assign. If the checking pass
    fails, ``serialize`` is called once more with the values as they were
    passed in, which undoes plain assignments such as
    ``self.n = serializer('n', self.n)``. A ``serialize`` method that changes
    state in other ways (building links from a loaded number, say) should do it
    only when ``checking`` is false, so that a failed load changes nothing.
    """

    #: True during the checking pass of a two-phase load (see the class docs).
    checking: bool = False

    def load(self, obj: Any) -> None:
        """Loads ``obj`` by calling its ``serialize`` method with this deserializer."""
        obj.serialize(self)


def is_checking(serializer: Any) -> bool:
    """Whether ``serializer`` is in the checking pass of a two-phase load."""
    # only our deserializers' own flag: a stand-in (a mock) answers any attribute
    return getattr(serializer, 'checking', False) is True


def is_loading(serializer: Any) -> bool:
    """Whether ``serializer`` reads (a :class:`Deserializer`) rather than writes."""
    return isinstance(serializer, Deserializer)


def describe_key(serializer: Any, key: str) -> str:
    """``key`` as error messages name it: with its full path and file where known."""
    describe = getattr(serializer, 'describe_key', None)
    return describe(key) if describe is not None else repr(key)


def read_json(serializer: Any, key: str, default: Any) -> Any:
    """Reads the JSON text stored under ``key`` (``default`` when it is empty).

    A value that is not JSON raises ``ValueError`` naming the key and file.
    """
    text = serializer(key, '')
    if not text:
        return default
    try:
        return json.loads(str(text))
    except ValueError as e:
        raise ValueError(
            f'{describe_key(serializer, key)} does not hold valid JSON: {e}') from e


def convert_read(serializer: Any, key: str, value: Any, convert: Callable[[Any], Any],
                 what: str) -> Any:
    """``convert(value)`` for a ``value`` read under ``key``.

    A failing conversion raises ``ValueError`` naming the key and file and
    saying ``what`` the value should be.
    """
    try:
        return convert(value)
    except (AttributeError, TypeError, ValueError) as e:
        raise ValueError(
            f'{describe_key(serializer, key)} does not hold {what}: {e}') from e
