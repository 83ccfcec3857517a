"""Debug mode tells where a function producing NaN was applied."""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import _backprop_utils


def _apply_log(x):  # the frame the message must point at
    return F.log(x)


def test_forward_nan_names_the_creation_site():
    x = chainer.Variable(numpy.array([-1.], numpy.float32))
    with chainer.using_config('debug', True), numpy.errstate(invalid='ignore'):
        with pytest.raises(RuntimeError) as info:
            _apply_log(x)
    msg = str(info.value)
    assert msg.startswith('NaN is detected on forward computation of log')
    assert 'Stacktrace of the function is below:' in msg
    assert '_apply_log' in msg and 'test_debug_messages.py' in msg


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
