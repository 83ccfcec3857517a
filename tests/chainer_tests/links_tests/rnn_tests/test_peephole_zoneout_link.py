"""Tests of L.StatefulPeepholeLSTM and L.StatefulZoneoutLSTM."""
import numpy
import pytest

import chainer
import chainer.links as L
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _gates(link, x, h):
    g = x @ link.upward.W.array.T + link.upward.b.array
    if h is not None:
        g = g + h @ link.lateral.W.array.T
    g = g.reshape(len(x), link.state_size, 4)
    return [g[:, :, k] for k in range(4)]


def test_peephole():
    link = L.StatefulPeepholeLSTM(3, 4)
    c = numpy.zeros((2, 4))
    h = None
    for _ in range(3):
        x = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
        a, i, f, o = _gates(link, x, h)
        i = R.sigmoid(i + c @ link.peep_i.W.array.T)
        f = R.sigmoid(f + c @ link.peep_f.W.array.T)
        c = numpy.tanh(a) * i + f * c
        o = R.sigmoid(o + c @ link.peep_o.W.array.T)
        h = o * numpy.tanh(c)
        y = link(x)
        numpy.testing.assert_allclose(y.array, h, atol=1e-5)
        numpy.testing.assert_allclose(link.c.array, c, atol=1e-5)
    chainer.functions.sum(y).backward()
    assert link.peep_i.W.grad is not None
    link.reset_state()
    assert link.h is None and link.c is None


def test_zoneout_outside_training_is_lstm():
    link = L.StatefulZoneoutLSTM(3, 4, c_ratio=0.3, h_ratio=0.7)
    c = numpy.zeros((2, 4))
    h = numpy.zeros((2, 4))
    with chainer.using_config('train', False):
        for _ in range(3):
            x = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
            a, i, f, o = _gates(link, x, h)
            c = numpy.tanh(a) * R.sigmoid(i) + R.sigmoid(f) * c
            h = R.sigmoid(o) * numpy.tanh(c)
            numpy.testing.assert_allclose(link(x).array, h, atol=1e-5)


def test_zoneout_ratio_one_keeps_state():
    link = L.StatefulZoneoutLSTM(3, 4, c_ratio=1.0, h_ratio=1.0)
    link.set_state(chainer.Variable(numpy.ones((2, 4), numpy.float32)),
                   chainer.Variable(numpy.full((2, 4), 0.5, numpy.float32)))
    y = link(numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32))
    numpy.testing.assert_array_equal(y.array, 0.5)
    numpy.testing.assert_array_equal(link.c.array, 1.0)


def test_zoneout_first_step_and_output_as_chainer():
    # No lateral term before the first state (its gradient stays None), and
    # h is computed from the new cell before the cell's zoneout.
    link = L.StatefulZoneoutLSTM(3, 4, c_ratio=1.0, h_ratio=0.0)
    x = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
    link.cleargrads()
    y = link(x)
    a, i, f, o = _gates(link, x, numpy.zeros((2, 4)))
    c_new = numpy.tanh(a) * R.sigmoid(i)
    numpy.testing.assert_allclose(y.array, R.sigmoid(o) * numpy.tanh(c_new), atol=1e-5)
    numpy.testing.assert_array_equal(link.c.array, 0)  # c_ratio=1 keeps the old cell
    chainer.functions.sum(y).backward()
    assert link.lateral.W.grad is None and link.upward.W.grad is not None


def test_zoneout_train_argument_removed():
    with pytest.raises(ValueError):
        L.StatefulZoneoutLSTM(3, 4, train=True)
