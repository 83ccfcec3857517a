"""A property whose value is computed once per instance and backprop mode."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import chainer


def cached_property(getter: Callable[[Any], Any]) -> property:
    """Turns ``getter`` into a read-only property computed at most once.

    The value is cached on the instance separately for
    ``chainer.config.enable_backprop`` on and off: a value computed without
    backprop carries no graph, so it must not be handed out when gradients
    are wanted.
    """
    slot = f'_cached_{getter.__name__}'

    @functools.wraps(getter)
    def get(self):
        cache = self.__dict__.setdefault(slot, {})
        mode = bool(chainer.config.enable_backprop)
        if mode not in cache:
            cache[mode] = getter(self)
        return cache[mode]

    return property(get)
