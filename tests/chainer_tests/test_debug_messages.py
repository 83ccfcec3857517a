"""Debug mode tells where a function producing NaN was applied."""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import _backprop_utils


def _apply_log(x):  # the frame the message must point at
    return F.log(x)


def test_forward_nan_message():
    # As in Chainer, a forward error is raised from the call itself, so its
    # traceback names the site and the message carries no stack.
    x = chainer.Variable(numpy.array([-1.], numpy.float32))
    with chainer.using_config('debug', True), numpy.errstate(invalid='ignore'):
        with pytest.raises(RuntimeError) as info:
            _apply_log(x)
    assert str(info.value) == 'NaN is detected on forward computation of log'
    assert any(entry.name == '_apply_log' for entry in info.traceback)


def test_no_stack_outside_debug_mode():
    x = chainer.Variable(numpy.array([-1.], numpy.float32))
    with numpy.errstate(invalid='ignore'):
        y = F.log(x)
    assert y.creator_node.stack is None


class _Doubling(chainer.FunctionNode):
    """``2 x`` whose backward is ``make_grads()`` (to inject bad gradients)."""

    def __init__(self, make_grads):
        self.make_grads = make_grads

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, indexes, grad_outputs):
        return self.make_grads()


def _apply_nan_grad(x):
    return _Doubling(
        lambda: (chainer.Variable(numpy.full((1,), numpy.nan, numpy.float32)),)
    ).apply((x,))[0]


def _broken_backward():
    raise ValueError('broken backward')


def _apply_failing(x):
    return _Doubling(_broken_backward).apply((x,))[0]


def test_backward_nan_names_the_creation_site():
    x = chainer.Variable(numpy.array([1.], numpy.float32))
    with chainer.using_config('debug', True):
        y = _apply_nan_grad(x)
        with pytest.raises(RuntimeError) as info:
            y.backward()
    msg = str(info.value)
    assert 'NaN is detected on backward computation' in msg
    assert '_apply_nan_grad' in msg


def test_backprop_step_errors_name_the_creation_site():
    x = chainer.Variable(numpy.array([1.], numpy.float32))
    with chainer.using_config('debug', True):
        y = _apply_failing(x)
    gy = chainer.Variable(numpy.ones(1, numpy.float32))
    with pytest.raises(ValueError) as info:
        _backprop_utils.backprop_step(y.creator_node, (0,), (gy,), {x.node: []}, True)
    msg = str(info.value)
    assert msg.startswith('broken backward') and '_apply_failing' in msg


def _broken_with(error):
    def backward():
        raise error
    return backward


def _apply_sqrt(x):
    return F.sqrt(x)


@pytest.mark.parametrize('error', [IndexError('index'), KeyError('key'), IndexError()])
def test_backward_errors_name_the_creation_site(error):
    # Any error raised by a backward gets where its function was applied.
    x = chainer.Variable(numpy.array([1.], numpy.float32))
    with chainer.using_config('debug', True):
        y = _Doubling(_broken_with(error)).apply((x,))[0]
    with pytest.raises(type(error)) as info:
        y.grad = numpy.ones(1, numpy.float32)
        y.backward()
    msg = str(info.value.args[0])
    assert msg.startswith(str(error.args[0]) if error.args else '\n')
    assert msg.count('Stacktrace of the function is below:') == 1
    assert 'test_backward_errors_name_the_creation_site' in msg


def test_backward_error_without_debug_at_creation_keeps_its_message():
    x = chainer.Variable(numpy.array([1.], numpy.float32))
    y = _Doubling(_broken_with(IndexError('index'))).apply((x,))[0]
    with chainer.using_config('debug', True):
        with pytest.raises(IndexError) as info:
            F.sum(y).backward()
    assert info.value.args == ('index',)


def test_nan_inside_a_backward_names_the_function_being_differentiated(monkeypatch):
    # sqrt's backward divides by 2 sqrt(x): 0 / 0 at x = 0 with a zero gradient.
    monkeypatch.setenv('COLUMNS', '50')
    x = chainer.Variable(numpy.array([0., 1.], numpy.float32))
    with chainer.using_config('debug', True), numpy.errstate(invalid='ignore'):
        y = _apply_sqrt(x)
        y.grad = numpy.zeros(2, numpy.float32)
        with pytest.raises(RuntimeError) as info:
            y.backward()
    head, dashes, title, *stack = str(info.value).split('\n')
    assert head == 'NaN is detected on forward computation of _ / _'
    assert dashes == '-' * 50  # the terminal's width, as in Chainer
    assert title == 'Stacktrace of the function is below:'
    assert '_apply_sqrt' in '\n'.join(stack)


def test_backward_nan_in_the_accumulated_gradient():
    # As in Chainer, debug mode checks the sum with the gradient already there: a
    # link's NaN gradients left because cleargrads() was forgotten are reported.
    link = L.Linear(3, 2)
    x = chainer.Variable(numpy.ones((2, 3), numpy.float32))
    y = F.sum(link(x))
    with chainer.using_config('debug', True):
        with pytest.raises(RuntimeError, match='NaN is detected on backward computation '
                                               'of LinearFunction'):
            y.backward()
    link.cleargrads()
    with chainer.using_config('debug', True):
        F.sum(link(x)).backward()
    assert not numpy.isnan(link.W.grad).any()


def test_backward_nan_of_the_old_gradient_is_found_before_adding():
    # Chainer raised before the sum node was applied: hooks never see it
    x = chainer.Variable(numpy.ones((2, 3), numpy.float32))
    x.grad = numpy.full((2, 3), numpy.nan, numpy.float32)
    y = F.sum(F.relu(x))
    seen = []

    class Rec(chainer.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append(function.label)

    with chainer.using_config('debug', True), Rec():
        with pytest.raises(RuntimeError, match='backward computation of ReLU'):
            y.backward()
    assert '_ + _' not in seen


@pytest.mark.parametrize('array, what', [
    (numpy.ones(2, numpy.float32), 'shape'),
    (numpy.array(1., numpy.float64), 'dtype'),
])
def test_backward_checks_the_gradient_already_there(array, what):
    # As in Chainer, debug mode compares a new gradient with the one its input holds:
    # here a gradient left from before the array was replaced by one of another shape
    # or dtype (outside debug mode the shapes broadcast, and the dtypes fail to add).
    x = chainer.Variable(numpy.array(1., numpy.float32))
    F.tanh(x).backward()
    x.array = array
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError) as e:
            F.sum(F.tanh(x)).backward()
    # Chainer's words
    assert str(e.value).startswith(
        f'{what} of gradients returned from backward is incorrect: input-index=0, ')
    assert '\n  function=Tanh (Tanh)\n    input 0: ' in str(e.value)
