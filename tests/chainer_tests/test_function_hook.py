"""chainer.FunctionHook registration (``with hook:``) and its errors, as Chainer's."""
import threading

import numpy
import pytest

import chainer
from chainer import function_hooks, link_hooks


@pytest.mark.parametrize('hook_class', [function_hooks.TimerHook, link_hooks.TimerHook])
def test_global_hook_errors_are_chainers(hook_class):
    hook = hook_class()
    with hook:
        with pytest.raises(KeyError) as info:
            hook.__enter__()
        assert info.value.args == ('hook TimerHook already exists',)
    # Leaving a block that is not registered here (another thread, or already left).
    failures = []

    def leave():
        try:
            hook.__exit__(None, None, None)
        except KeyError as e:
            failures.append(e.args)

    hook.__enter__()
    thread = threading.Thread(target=leave)
    thread.start()
    thread.join()
    hook.__exit__(None, None, None)
    with pytest.raises(KeyError) as info:
        hook.__exit__(None, None, None)
    assert failures == [('TimerHook',)]
    assert info.value.args == ('TimerHook',)


def test_local_hook_errors_are_chainers():
    node = (chainer.Variable(numpy.ones(2, numpy.float32)) * 2).creator
    node.add_hook(function_hooks.TimerHook())
    with pytest.raises(KeyError) as info:
        node.add_hook(function_hooks.TimerHook())
    assert info.value.args == ('Hook TimerHook already exists',)
    with pytest.raises(KeyError) as info:
        node.delete_hook('nope')
    assert info.value.args == ('Hook nope does not exist',)
