"""The hook registries' cross-thread counters."""
from __future__ import annotations

import sys
import threading
import types

from chainer import _thread_state
from tests.chainer_tests._threads import run_in_threads


class _SlowCounterModule(types.ModuleType):
    """A module whose counter read by the first thread waits for a second thread."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.value = 0
        self.reading = threading.Event()
        self.other_done = threading.Event()
        self.first = threading.current_thread()

    @property
    def n(self) -> int:
        value = self.value
        if threading.current_thread() is self.first:
            self.reading.set()
            self.other_done.wait(1.0)
        return value

    @n.setter
    def n(self, value: int) -> None:
        self.value = value


def test_concurrent_registrations_are_all_counted(monkeypatch):
    module = _SlowCounterModule('_rechainer_test_counter')
    monkeypatch.setitem(sys.modules, module.__name__, module)

    class Hooks(_thread_state.CountingHookDict):
        _counter = (module.__name__, 'n')

    def register_other():
        Hooks()['b'] = object()
        module.other_done.set()

    other = threading.Thread(target=register_other, daemon=True)

    def start_other_when_first_reads():
        module.reading.wait(10)
        other.start()

    starter = threading.Thread(target=start_other_when_first_reads, daemon=True)
    starter.start()
    Hooks()['a'] = object()
    starter.join(10)
    other.join(10)
    assert not other.is_alive()
    assert module.value == 2


def test_hook_churn_in_many_threads_leaves_the_count_at_zero():
    from chainer import FunctionHook
    import numpy
    import chainer.functions as F

    class Count(FunctionHook):
        name = 'Count'

        def __init__(self):
            self.n = 0

        def forward_preprocess(self, function, in_data):
            self.n += 1

    x = numpy.ones(3, numpy.float32)
    counts = []

    def work():
        for _ in range(200):
            hook = Count()
            with hook:
                F.identity(x)
            counts.append(hook.n)

    run_in_threads(work, 4)
    assert counts == [1] * 800
    assert _thread_state.n_hooks == 0


def test_every_way_of_removing_a_hook_is_counted():
    import chainer
    hooks = chainer.get_function_hooks()
    before = _thread_state.n_hooks
    hooks['a'] = object()
    hooks.setdefault('b', object())
    hooks.update({'c': object()})
    assert _thread_state.n_hooks == before + 3
    hooks.popitem()
    hooks.pop('b')
    del hooks['a']
    assert _thread_state.n_hooks == before


def test_pop_and_popitem_count_once_and_keep_ordered_dict_behaviour():
    # Python 3.10's OrderedDict.pop/popitem call a subclass's __delitem__, 3.11's
    # do not: each removal must be counted once on both.
    import pytest

    import chainer
    hooks = chainer.get_function_hooks()
    before = _thread_state.n_hooks
    for key in 'xyz':
        hooks[key] = key.upper()
    assert hooks.popitem(last=False) == ('x', 'X')
    assert hooks.popitem() == ('z', 'Z')
    assert hooks.pop('y') == 'Y'
    assert hooks.pop('y', None) is None
    assert _thread_state.n_hooks == before
    with pytest.raises(KeyError):
        hooks.pop('y')
    if not hooks:
        with pytest.raises(KeyError):
            hooks.popitem()
    assert _thread_state.n_hooks == before
