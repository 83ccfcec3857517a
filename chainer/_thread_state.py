"""Thread-local state shared by the core (function hooks)."""
from __future__ import annotations

import collections
import threading

_local = threading.local()

# Number of function hooks registered in any thread; lets FunctionNode.apply and
# the backprop loop skip the thread-local lookup when no hook exists at all.
n_hooks = 0


class _HookDict(collections.OrderedDict):
    """The per-thread hook registry; keeps :data:`n_hooks` up to date."""

    def __repr__(self) -> str:
        # Prints as the OrderedDict Chainer keeps the hooks in.
        return repr(collections.OrderedDict(self))

    def __setitem__(self, key, value):
        global n_hooks
        if key not in self:
            n_hooks += 1
        super().__setitem__(key, value)

    def __delitem__(self, key):
        global n_hooks
        super().__delitem__(key)
        n_hooks -= 1

    def pop(self, key, *default):
        global n_hooks
        if key in self:
            n_hooks -= 1
        return super().pop(key, *default)

    def clear(self):
        global n_hooks
        n_hooks -= len(self)
        super().clear()


def get_function_hooks() -> collections.OrderedDict:
    """The function hooks registered in this thread (name -> hook)."""
    try:
        return _local.function_hooks
    except AttributeError:
        hooks = _local.function_hooks = _HookDict()
        return hooks


def current_hooks():
    """This thread's hook registry, or None when no hook is registered anywhere."""
    if n_hooks == 0:
        return None
    return getattr(_local, 'function_hooks', None)
