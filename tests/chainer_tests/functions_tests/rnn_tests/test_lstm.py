"""Tests of F.lstm."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._graph import graph_nodes
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _lstm_ref(c_prev, x):
    batch, units = x.shape[0], c_prev.shape[1]
    g = x.astype(numpy.float64).reshape((batch, units, 4) + x.shape[2:])
    a, i, f, o = (g[:, :, k] for k in range(4))
    c = c_prev.astype(numpy.float64).copy()
    c[:batch] = numpy.tanh(a) * R.sigmoid(i) + R.sigmoid(f) * c[:batch]
    h = R.sigmoid(o) * numpy.tanh(c[:batch])
    return c.astype(x.dtype), h.astype(x.dtype)


@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 8)), ((4, 2, 3), (2, 8, 3)), ((2, 3), (0, 12))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLSTM(testing.FunctionTestCase):

    def setUp(self):
        R.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        c_shape, x_shape = self.shapes
        c = numpy.random.uniform(-1, 1, c_shape).astype(self.dtype)
        x = numpy.random.uniform(-1, 1, x_shape).astype(self.dtype)
        return c, x

    def forward(self, inputs, device):
        return F.lstm(*inputs)

    def forward_expected(self, inputs):
        return _lstm_ref(*inputs)


def test_lstm_without_gradient_of_c():
    c = numpy.random.uniform(-1, 1, (2, 3))
    x = chainer.Variable(numpy.random.uniform(-1, 1, (2, 12)))
    _, h = F.lstm(c, x)
    F.sum(h).backward()
    assert x.grad.shape == x.shape


@pytest.mark.parametrize('c_shape, x_shape, dtypes', [
    ((2, 3), (2, 11), ('f', 'f')),      # not 4 gates
    ((2, 3), (3, 12), ('f', 'f')),      # x has more rows than c
    ((2, 3), (2, 12), ('f', 'd')),      # dtype mismatch
    ((2, 3), (2, 12), ('i', 'i')),      # not float
    ((2, 3, 2), (2, 12, 3), ('f', 'f')),  # trailing shape mismatch
    ((2, 3), (2, 12, 1), ('f', 'f')),   # ndim mismatch
])
def test_lstm_bad_input(c_shape, x_shape, dtypes):
    c = numpy.zeros(c_shape, dtypes[0])
    x = numpy.zeros(x_shape, dtypes[1])
    with pytest.raises(type_check.InvalidType):
        F.lstm(c, x)


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('c_shape,x_shape', [((3, 4), (3, 16)), ((4, 2, 3), (2, 8, 3)),
                                             ((2, 3), (0, 12))])
def test_gpu_kernels_match_numpy(monkeypatch, dtype, c_shape, x_shape):
    """The fused CuPy kernels, compiled for the host, against the NumPy path."""
    from chainer.functions.rnn import lstm as lstm_module
    from tests.chainer_tests import _host_kernels
    rng = numpy.random.default_rng(0)
    c = rng.uniform(-1, 1, c_shape).astype(dtype)
    x = rng.uniform(-1, 1, x_shape).astype(dtype)
    gc = rng.uniform(-1, 1, c_shape).astype(dtype)
    gh = rng.uniform(-1, 1, (x_shape[0],) + c_shape[1:]).astype(dtype)
    results = []
    for on_gpu in (False, True):
        with monkeypatch.context() as m:
            if on_gpu:
                _host_kernels.cupy_branch(m, lstm_module)
            cv, xv = chainer.Variable(c.copy()), chainer.Variable(x.copy())
            c_new, h = F.lstm(cv, xv)
            chainer.backward([c_new, h], [gc.copy(), gh.copy()])
            results.append((c_new.array, h.array, cv.grad, xv.grad))
            if on_gpu and x.size:
                assert _host_kernels.launched == ['rechainer_lstm_fwd', 'rechainer_lstm_bwd']
    tol = {'rtol': 1e-2, 'atol': 1e-2} if dtype == numpy.float16 else {'rtol': 1e-5,
                                                                        'atol': 1e-6}
    for got, expected in zip(*reversed(results)):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        numpy.testing.assert_allclose(got, expected, **tol)


def test_cpu_values_are_chainers_to_the_last_bit():
    # Chainer's CPU LSTM takes the gate sigmoids as tanh(x / 2) / 2 + 1 / 2;
    # 1 / (1 + exp(-x)) rounds otherwise, and training drifts apart from Chainer's.
    rs = numpy.random.RandomState(0)
    x = rs.randn(5, 4 * 7).astype(numpy.float32) * 3
    c_prev = rs.randn(5, 7).astype(numpy.float32)
    c, h = F.lstm(c_prev, x)
    r = x.reshape(5, 7, 4)
    half = numpy.float32(0.5)

    def sig(v):
        return numpy.tanh(v * half) * half + half
    a, i, f, o = numpy.tanh(r[:, :, 0]), sig(r[:, :, 1]), sig(r[:, :, 2]), sig(r[:, :, 3])
    c_expected = a * i + f * c_prev
    numpy.testing.assert_array_equal(c.array, c_expected)
    numpy.testing.assert_array_equal(h.array, o * numpy.tanh(c_expected))


def test_node_keeps_the_new_cell():
    # As in Chainer, the node retains its output c (``output_data``), not h.
    rs = numpy.random.RandomState(1)
    c, h = F.lstm(rs.randn(2, 3).astype(numpy.float32), rs.randn(2, 12).astype(numpy.float32))
    node = c.creator
    numpy.testing.assert_array_equal(node.output_data[0], c.array)
    assert node.output_data[1] is None


def test_node_keeps_no_gate_activations():
    # As in Chainer, the node keeps only c_prev, x and c (retained); backward
    # recomputes the gates instead of holding them for the whole sequence.
    c_prev = chainer.Variable(numpy.random.randn(3, 4).astype(numpy.float32))
    x = chainer.Variable(numpy.random.randn(3, 16).astype(numpy.float32))
    c, h = F.lstm(c_prev, x)
    node = c.creator

    def arrays(v):
        if isinstance(v, (tuple, list)):
            return [a for e in v for a in arrays(e)]
        return [v] if isinstance(v, numpy.ndarray) else []
    held = [a for v in vars(node).values() for a in arrays(v)]
    assert all(a is c.array for a in held)  # the retained output only
    F.sum(c + h).backward()
    c_ref, h_ref = _lstm_ref(c_prev.array, x.array)
    numpy.testing.assert_allclose(c.array, c_ref, rtol=1e-5)
    assert x.grad.shape == x.shape and c_prev.grad.shape == c_prev.shape


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_gradients_bitwise_as_chainer(seed):
    # Chainer's CPU forms: sigmoid(v) = tanh(v / 2) / 2 + 1 / 2, the cell's gradient
    # u = gh * o * (1 - tanh(c)^2) + gc, then u * i * (1 - a^2), u * a * (i * (1 - i)),
    # u * c_prev * (f * (1 - f)), gh * tanh(c) * (o * (1 - o)) and u * f
    rng = numpy.random.RandomState(seed)
    c_prev, gc, gh = (rng.uniform(-1, 1, (3, 4)).astype(numpy.float32) for _ in range(3))
    x = rng.uniform(-2, 2, (3, 16)).astype(numpy.float32)
    cv, xv = chainer.Variable(c_prev), chainer.Variable(x)
    c, h = F.lstm(cv, xv)
    g_c, g_x = chainer.grad([c, h], [cv, xv], [chainer.Variable(gc), chainer.Variable(gh)])
    half, one = numpy.float32(0.5), numpy.float32(1)
    gates = x.reshape(3, 4, 4)
    a = numpy.tanh(gates[:, :, 0])
    i, f, o = (numpy.tanh(gates[:, :, k] * half) * half + half for k in (1, 2, 3))
    t = numpy.tanh(a * i + f * c_prev)
    u = gh * o * (one - t * t) + gc
    expected = numpy.stack([u * i * (one - a * a), u * a * (i * (one - i)),
                            u * c_prev * (f * (one - f)), gh * t * (o * (one - o))], axis=2)
    assert numpy.array_equal(g_x.array, expected.reshape(3, 16))
    assert numpy.array_equal(g_c.array, u * f)


@pytest.mark.parametrize('batch', [3, 2, 0])
def test_lstm_grad_node_takes_the_new_cell_and_is_callable(batch):
    # Chainer's LSTMGrad is called like an old-style Function on
    # (c_prev, x, c_next, gc, gh): tanh is taken of the given c_next, not of a
    # cell recomputed from the gates, and every input gets a gradient.
    from chainer.functions.rnn import lstm
    rng = numpy.random.RandomState(batch)
    c_prev, c_next, gc = (rng.uniform(-1, 1, (3, 2, 2)) for _ in range(3))
    x = rng.uniform(-1, 1, (batch, 8, 2))
    gh = rng.uniform(-1, 1, (batch, 2, 2))
    gc_prev, gx = lstm.LSTMGrad()(c_prev, x, c_next, gc, gh)
    g = x.reshape(batch, 2, 4, 2)
    a, i, f, o = (numpy.tanh(g[:, :, 0]),) + tuple(R.sigmoid(g[:, :, k]) for k in (1, 2, 3))
    t = numpy.tanh(c_next[:batch])
    u = gh * o * (1 - t * t) + gc[:batch]
    expected_gx = numpy.stack([u * i * (1 - a * a), u * a * i * (1 - i),
                               u * c_prev[:batch] * f * (1 - f), gh * t * o * (1 - o)], axis=2)
    numpy.testing.assert_allclose(gx.array, expected_gx.reshape(x.shape), atol=1e-12)
    numpy.testing.assert_allclose(gc_prev.array, numpy.concatenate([u * f, gc[batch:]]),
                                  atol=1e-12)
    ggs = (rng.uniform(-1, 1, c_prev.shape), rng.uniform(-1, 1, x.shape))
    inputs = (c_prev, x, c_next, gc, gh)
    chainer.gradient_check.check_backward(lstm.LSTMGrad(), inputs, ggs)
    chainer.gradient_check.check_double_backward(
        lambda *xs: lstm.LSTMGrad().apply(xs), inputs, ggs,
        tuple(rng.uniform(-1, 1, v.shape) for v in inputs))


def test_second_order_graph_forms_each_product_once():
    # The derivative of the gradient forms each product it reads twice (ggo * gh,
    # ggi * u, ggf * u) once: no two products of it read the same inputs.
    rng = numpy.random.RandomState(0)
    c = chainer.Variable(rng.randn(2, 3))
    x = chainer.Variable(rng.randn(2, 12))
    c_next, h = F.lstm(c, x)
    gc, gx = chainer.grad([F.sum(c_next * rng.randn(2, 3)) + F.sum(h * rng.randn(2, 3))],
                          [c, x], enable_double_backprop=True)
    grads = chainer.grad([F.sum(gc * rng.randn(2, 3)) + F.sum(gx * rng.randn(2, 12))],
                         [c, x], enable_double_backprop=True)
    reads = set()
    for node in graph_nodes(*grads):
        if type(node).__name__ == 'Mul':
            read = tuple(sorted(id(vn) for vn in node.inputs))
            assert read not in reads
            reads.add(read)
