"""chainer.FunctionHook registration (``with hook:``) and its errors, as Chainer's."""
import contextlib
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


class _Log(chainer.FunctionHook):
    def __init__(self, name):
        self.name = name
        self.log = []

    def forward_preprocess(self, function, in_data):
        self.log.append(('fpre', function.label))

    def forward_postprocess(self, function, in_data):
        self.log.append(('fpost', function.label))

    def backward_preprocess(self, function, in_data, out_grad):
        self.log.append(('bpre', function.label))

    def backward_postprocess(self, function, in_data, out_grad):
        self.log.append(('bpost', function.label))


class _Toggle(chainer.FunctionNode):
    """Enters or leaves ``hook`` (unbalanced) inside its forward or backward."""

    def __init__(self, hook, when, enter):
        self.hook, self.when, self.enter = hook, when, enter

    def _toggle(self, when):
        if when == self.when:
            if self.enter:
                self.hook.__enter__()
            else:
                self.hook.__exit__(None, None, None)

    def forward(self, inputs):
        self._toggle('forward')
        return inputs[0] * 2,

    def backward(self, indexes, grad_outputs):
        self._toggle('backward')
        return grad_outputs[0] * 2,


_CALLED_AFTER = {  # Chainer 7.8.1's logs
    'forward': [('fpost', '_Toggle'), ('fpre', 'exp'), ('fpost', 'exp'), ('bpre', 'exp'),
                ('fpre', '_ * _'), ('fpost', '_ * _'), ('bpost', 'exp'), ('bpre', '_Toggle'),
                ('fpre', '_ * 2'), ('fpost', '_ * 2'), ('bpost', '_Toggle')],
    'backward': [('fpre', '_ * 2'), ('fpost', '_ * 2'), ('bpost', '_Toggle')],
}


@pytest.mark.parametrize('other', [False, True])
@pytest.mark.parametrize('when', ['forward', 'backward'])
def test_hook_entered_inside_a_call_is_called_after_it(other, when):
    # Chainer read the thread's registry again after the call (and per node in backward).
    hook = _Log('late')
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    with _Log('other') if other else contextlib.nullcontext():
        y = _Toggle(hook, when, True).apply((x,))[0]
        z = chainer.functions.exp(y)
        z.grad = numpy.ones(2, numpy.float32)
        z.backward()
    hook.__exit__(None, None, None)
    assert hook.log == _CALLED_AFTER[when]


@pytest.mark.parametrize('when', ['forward', 'backward'])
def test_hook_left_inside_a_call_is_not_called_after_it(when):
    hook = _Log('early')
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    hook.__enter__()
    y = _Toggle(hook, when, False).apply((x,))[0]
    if when == 'backward':
        y.grad = numpy.ones(2, numpy.float32)
        y.backward()
        assert hook.log == [('fpre', '_Toggle'), ('fpost', '_Toggle'), ('bpre', '_Toggle')]
    else:
        assert hook.log == [('fpre', '_Toggle')]
    assert chainer.get_function_hooks() == {}


def test_hook_entered_inside_a_backward_sees_the_sums():
    # Chainer added gradients with F.add, under the hooks registered at that time.
    hook = _Log('late')

    class Enter(chainer.FunctionNode):
        def forward(self, inputs):
            return inputs[0] * 1.5,

        def backward(self, indexes, grad_outputs):
            hook.__enter__()
            return grad_outputs[0] * 1.5,

    x = chainer.Variable(numpy.ones(2, numpy.float32))
    y = Enter().apply((x,))[0] + x
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    hook.__exit__(None, None, None)
    assert hook.log == [('fpre', '_ * 1.5'), ('fpost', '_ * 1.5'),  # as Chainer 7.8.1
                        ('fpre', '_ + _'), ('fpost', '_ + _'), ('bpost', 'Enter')]
    numpy.testing.assert_array_equal(x.grad, [2.5, 2.5])


def test_hook_entered_inside_a_backward_after_an_empty_registry():
    # This thread's registry is empty (but exists) when the node's backward starts,
    # while another thread has a hook.
    with _Log('earlier'):
        pass
    entered, done = threading.Event(), threading.Event()

    def other_thread():
        with _Log('other'):
            entered.set()
            done.wait(10)

    thread = threading.Thread(target=other_thread)
    thread.start()
    try:
        assert entered.wait(10)
        hook = _Log('late')
        x = chainer.Variable(numpy.ones(2, numpy.float32))
        y = _Toggle(hook, 'backward', True).apply((x,))[0]
        y.grad = numpy.ones(2, numpy.float32)
        y.backward()
        hook.__exit__(None, None, None)
    finally:
        done.set()
        thread.join()
    assert hook.log == [('fpre', '_ * 2'), ('fpost', '_ * 2'), ('bpost', '_Toggle')]
