"""Thread-local state shared by the core (function hooks)."""
from __future__ import annotations

import collections
import sys
import threading

_local = threading.local()

# Number of function hooks registered in any thread; lets FunctionNode.apply and
# the backprop loop skip the thread-local lookup when no hook exists at all.
n_hooks = 0
# Serialises the read-modify-write of the counters: threads register hooks at once.
_count_lock = threading.Lock()


class CountingHookDict(collections.OrderedDict):
    """An ordered hook registry (one per thread) whose subclass keeps the number of
    hooks in all its registries in the module global ``_counter`` = ``(module name,
    global name)``, which hot paths read to skip the thread-local lookup."""

    _counter: tuple

    def __repr__(self) -> str:
        # Prints as the OrderedDict Chainer keeps the hooks in.
        return repr(collections.OrderedDict(self))

    def _count(self, delta: int) -> None:
        module_name, name = self._counter
        module = sys.modules[module_name]
        with _count_lock:
            setattr(module, name, getattr(module, name) + delta)

    def __setitem__(self, key, value):
        if key not in self:
            self._count(1)
        super().__setitem__(key, value)

    def __delitem__(self, key):
        super().__delitem__(key)
        self._count(-1)

    # pop and popitem remove through __delitem__ (which counts): OrderedDict's own
    # call a subclass's __delitem__ on Python 3.10 and not from 3.11 on.
    def pop(self, key, *default):
        if key in self:
            value = self[key]
            del self[key]
            return value
        return super().pop(key, *default)

    def popitem(self, last=True):
        if not self:
            raise KeyError('dictionary is empty')
        key = next(reversed(self)) if last else next(iter(self))
        value = self[key]
        del self[key]
        return key, value

    def clear(self):
        self._count(-len(self))
        super().clear()


class _HookDict(CountingHookDict):
    """The per-thread function-hook registry; keeps :data:`n_hooks` up to date."""

    _counter = (__name__, 'n_hooks')


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


def hooks_after(hooks, n_local_hooks: int):
    """The hooks whose ``*_postprocess`` a node's forward or backward runs, given
    ``hooks``, those whose preprocess it ran: Chainer iterated a live view of the
    thread's registry, so a hook registered (removed) inside the call is (not) called
    after it; a node with local hooks iterated the copy it made before the call."""
    if n_local_hooks:
        return hooks
    if n_hooks == 0:
        return None
    live = getattr(_local, 'function_hooks', None)
    return tuple(live.values()) if live else None
