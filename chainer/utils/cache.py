"""A property whose value is computed once per instance and backprop mode."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import chainer


class cached_property:
    """A read-only property computed at most once (a decorator, as in Chainer).

    The value is cached in the instance's ``__dict__`` under the property's
    name, separately for ``chainer.config.enable_backprop`` on and off: a value
    computed without backprop carries no graph, so it must not be handed out
    when gradients are wanted. On the class, the descriptor itself is returned.
    """

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func = func
        functools.update_wrapper(self, func)

    def __get__(self, obj: Any, cls: Any = None) -> Any:
        if obj is None:
            return self
        cache = obj.__dict__.setdefault(self.__name__, {})
        mode = bool(chainer.config.enable_backprop)
        if mode not in cache:
            cache[mode] = self.func(obj)
        return cache[mode]

    def __set__(self, obj: Any, value: Any) -> None:
        raise AttributeError(f'cached property {self.__name__!r} is read-only')

    def __delete__(self, obj: Any) -> None:
        raise AttributeError(f'cached property {self.__name__!r} cannot be deleted')
