"""Tests of L.LSTM and L.StatelessLSTM."""
import numpy
import pytest

import chainer
import chainer.links as L
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _step_ref(link, c, h, x):
    """NumPy LSTM step with the link's parameters (gates interleaved per unit)."""
    n = link.state_size
    g = x.astype(numpy.float64) @ link.upward.W.array.T.astype(numpy.float64)
    g = g + link.upward.b.array
    if h is not None:
        g = g + h @ link.lateral.W.array.T.astype(numpy.float64)
    g = g.reshape(len(x), n, 4)
    c_prev = numpy.zeros((len(x), n)) if c is None else c
    c_new = numpy.tanh(g[:, :, 0]) * R.sigmoid(g[:, :, 1]) + R.sigmoid(g[:, :, 2]) * c_prev
    return c_new, R.sigmoid(g[:, :, 3]) * numpy.tanh(c_new)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_lstm_steps_match_reference(dtype):
    with chainer.using_config('dtype', dtype):
        link = L.LSTM(3, 4)
    link.lateral.W.array[...] = numpy.random.uniform(-1, 1, link.lateral.W.shape)
    xs = [numpy.random.uniform(-1, 1, (2, 3)).astype(dtype) for _ in range(3)]
    c = h = None
    tol = {'atol': 1e-2, 'rtol': 1e-2} if dtype == numpy.float16 else {'atol': 1e-5}
    for x in xs:
        y = link(x)
        c, h = _step_ref(link, c, h, x)
        numpy.testing.assert_allclose(y.array, h, **tol)
        numpy.testing.assert_allclose(link.c.array, c, **tol)
        assert y.dtype == dtype


def test_lstm_default_initialization():
    link = L.LSTM(3, 4)
    gates = link.upward.b.array.reshape(4, 4)
    numpy.testing.assert_array_equal(gates[:, 2], 1)   # forget gate
    numpy.testing.assert_array_equal(gates[:, [0, 1, 3]], 0)
    assert link.lateral.b is None
    assert numpy.abs(link.lateral.W.array).sum() > 0
    link = L.LSTM(3, 4, bias_init=0.5, forget_bias_init=2.0)
    gates = link.upward.b.array.reshape(4, 4)
    numpy.testing.assert_array_equal(gates[:, 2], 2.0)
    numpy.testing.assert_array_equal(gates[:, 0], 0.5)


@pytest.mark.parametrize('cls', [L.LSTM, L.StatelessLSTM])
def test_gate_biases_are_filled_as_1_n_1_views(cls):
    # Chainer filled each gate's bias as a (1, n, 1) view: fan-based
    # initializers work there and see fan_in n, fan_out 1.
    shapes = []

    def record(a):
        shapes.append(a.shape)
        a[...] = 0.5

    link = cls(2, 3, bias_init=record, forget_bias_init=record)
    assert shapes == [(1, 3, 1)] * 4
    numpy.testing.assert_array_equal(link.upward.b.array, 0.5)
    numpy.random.seed(0)
    link = cls(2, 3, forget_bias_init=chainer.initializers.GlorotUniform())
    forget = link.upward.b.array.reshape(3, 4)[:, 2]
    assert numpy.all(numpy.abs(forget) <= numpy.sqrt(6 / 4)) and numpy.any(forget != 0)


def test_lstm_lazy_in_size():
    link = L.LSTM(4)
    assert link.upward.W.array is None
    y = link(numpy.ones((2, 5), numpy.float32))
    assert link.upward.W.shape == (16, 5)
    assert y.shape == (2, 4)
    assert numpy.abs(link.lateral.W.array).sum() > 0


def test_lstm_shrinking_batch_keeps_rest():
    link = L.LSTM(3, 2)
    link(numpy.ones((3, 3), numpy.float32))
    h_before = link.h.array.copy()
    y = link(numpy.ones((1, 3), numpy.float32))
    assert y.shape == (1, 2)
    assert link.h.shape == (3, 2)
    numpy.testing.assert_array_equal(link.h.array[1:], h_before[1:])


def test_lstm_empty_batch_leaves_the_state_and_lateral_alone():
    # As in Chainer: a step on 0 rows applies no lateral connection, so neither
    # lateral.W nor the state gets a gradient from it (None, not zeros).
    link = L.LSTM(2, 3)
    h0 = chainer.Variable(numpy.random.RandomState(0).rand(2, 3).astype(numpy.float32))
    link.set_state(chainer.Variable(numpy.zeros((2, 3), numpy.float32)), h0)
    y = link(numpy.zeros((0, 2), numpy.float32))
    assert y.shape == (0, 3)
    assert link.h is h0
    link.cleargrads()
    chainer.functions.sum(link.c).backward()
    assert link.lateral.W.grad is None and h0.grad is None


def test_lstm_state_and_backward():
    link = L.LSTM(3, 2)
    x = chainer.Variable(numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32))
    loss = chainer.functions.sum(link(x) + link(x))
    loss.backward()
    assert link.upward.W.grad is not None and link.lateral.W.grad is not None
    c = chainer.Variable(numpy.zeros((2, 2), numpy.float32))
    h = chainer.Variable(numpy.zeros((2, 2), numpy.float32))
    link.set_state(c, h)
    assert link.c is c and link.h is h
    link.to_cpu()
    assert isinstance(link.h.array, numpy.ndarray)
    link.reset_state()
    assert link.c is None and link.h is None
    with pytest.raises(TypeError):
        link.set_state(numpy.zeros((2, 2)), h)
    with pytest.raises(AssertionError):  # what Chainer's assert raised
        link.set_state(c, numpy.zeros((2, 2)))


@pytest.mark.parametrize('make', [lambda: L.StatefulGRU(3, 2), lambda: L.StatefulMGU(3, 2)])
def test_hidden_state_links_refuse_arrays_as_state(make):
    link = make()
    with pytest.raises(TypeError):
        link.set_state(numpy.zeros((2, 2), numpy.float32))
    with pytest.raises(AssertionError):
        link.set_state(numpy.zeros((2, 2), numpy.float32))


def test_stateless_lstm():
    link = L.StatelessLSTM(3, 4)
    x = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
    c, h = link(None, None, x)
    rc, rh = _step_ref(link, None, None, x)
    numpy.testing.assert_allclose(h.array, rh, atol=1e-5)
    c2, h2 = link(c, h, x)
    rc2, rh2 = _step_ref(link, rc, rh, x)
    numpy.testing.assert_allclose(c2.array, rc2, atol=1e-5)
    numpy.testing.assert_allclose(h2.array, rh2, atol=1e-5)


@pytest.mark.gpu
def test_lstm_gpu_matches_cpu():
    import cupy
    cpu = L.LSTM(3, 4)
    gpu = cpu.copy('copy')
    gpu.to_gpu()
    xs = [numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32) for _ in range(3)]
    loss_c = sum(chainer.functions.sum(cpu(x)) for x in xs)
    loss_g = sum(chainer.functions.sum(gpu(cupy.asarray(x))) for x in xs)
    loss_c.backward()
    loss_g.backward()
    numpy.testing.assert_allclose(cupy.asnumpy(gpu.h.array), cpu.h.array, atol=1e-5)
    numpy.testing.assert_allclose(cupy.asnumpy(gpu.upward.W.grad), cpu.upward.W.grad,
                                  atol=1e-4)


def test_batch_larger_than_the_state_is_a_type_error():
    link = L.LSTM(3, 4)
    link(numpy.ones((2, 3), numpy.float32))
    with pytest.raises(TypeError):
        link(numpy.ones((3, 3), numpy.float32))
    assert link.h.shape == (2, 4)


def test_lstm_refuses_a_0d_input_clearly():
    from chainer.utils import type_check
    link = L.LSTM(3, 4)
    with pytest.raises(type_check.InvalidType, match='x.ndim == 2'):
        link(numpy.ones((), numpy.float32))


def test_larger_batch_than_the_state_has_chainers_message():
    link = chainer.links.LSTM(3, 4)
    link(numpy.ones((2, 3), numpy.float32))
    with pytest.raises(TypeError, match='^The batch size of x must be equal to or less than '
                                        'the size of the previous state h.$'):
        link(numpy.ones((3, 3), numpy.float32))
