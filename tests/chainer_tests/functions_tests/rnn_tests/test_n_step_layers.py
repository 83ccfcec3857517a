"""Tests of NStepLSTMLayer, NStepGRULayer and NStepRNNLayer, the nodes running
one layer and direction of F.n_step_lstm, F.n_step_gru and F.n_step_rnn,
against NumPy loops and against their composed references."""
import functools

import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.rnn import n_step_gru
from chainer.functions.rnn import n_step_lstm
from chainer.functions.rnn import n_step_rnn
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R

IN_SIZE, UNITS = 3, 2


def _lstm_step(xp, h, c, wh, bh):
    i, f, o, a = numpy.split(xp + h @ wh.T, 4, axis=1)
    c = R.sigmoid(f) * c + R.sigmoid(i) * numpy.tanh(a)
    return R.sigmoid(o) * numpy.tanh(c), c


def _gru_step(xp, h, c, wh, bh):
    xr, xz, xn = numpy.split(xp, 3, axis=1)
    hr, hz, hn = numpy.split(h @ wh.T + bh, 3, axis=1)
    r, z = R.sigmoid(xr + hr), R.sigmoid(xz + hz)
    n = numpy.tanh(xn + r * hn)
    return (1 - z) * n + z * h, None


def _elman_step(activation):
    def step(xp, h, c, wh, bh):
        y = xp + h @ wh.T
        return (numpy.tanh(y) if activation == 'tanh' else numpy.maximum(y, 0)), None
    return step


def _elman(activation):
    node = functools.partial(n_step_rnn.NStepRNNLayer, activation=activation)
    ref = functools.partial(n_step_rnn.composed_layer, activation=activation)
    return node, ref, 1, False, _elman_step(activation)


# kind -> (node class, composed reference, gates, has cell state, NumPy step)
_KINDS = {
    'lstm': (n_step_lstm.NStepLSTMLayer, n_step_lstm.composed_layer, 4, True, _lstm_step),
    'gru': (n_step_gru.NStepGRULayer, n_step_gru.composed_layer, 3, False, _gru_step),
    'rnn_tanh': _elman('tanh'),
    'rnn_relu': _elman('relu'),
}
# Biases per layer: LSTMs and Elman RNNs take one (the two summed), GRUs two.
_N_BIASES = {'lstm': 1, 'gru': 2, 'rnn_tanh': 1, 'rnn_relu': 1}


def _layer_ref(kind, inputs, batches, reverse):
    """The layer one step at a time in float64."""
    _, _, _, with_c, step = _KINDS[kind]
    inputs = [numpy.asarray(v, numpy.float64) for v in inputs]
    if with_c:
        x, h, c, w, wh, b = inputs
        bh = None
        c = c.copy()
    elif _N_BIASES[kind] == 2:
        x, h, w, wh, b, bh = inputs
        c = None
    else:
        x, h, w, wh, b = inputs
        bh = c = None
    h = h.copy()
    proj = x @ w.T + b
    starts = numpy.concatenate([[0], numpy.cumsum(batches)[:-1]]).astype(int)
    order = range(len(batches) - 1, -1, -1) if reverse else range(len(batches))
    y = numpy.zeros((len(x), h.shape[1]))
    for t in order:
        n, s = batches[t], starts[t]
        hn, cn = step(proj[s:s + n], h[:n], None if c is None else c[:n], wh, bh)
        h[:n] = hn
        if c is not None:
            c[:n] = cn
        y[s:s + n] = hn
    return (y, h, c) if with_c else (y, h)


def _inputs(kind, batches, n_seqs, dtype):
    _, _, gates, with_c, _ = _KINDS[kind]
    u = numpy.random.uniform
    n_rows = sum(batches)
    states = [u(-1, 1, (n_seqs, UNITS)).astype(dtype) for _ in range(2 if with_c else 1)]
    x = u(-1, 1, (n_rows, IN_SIZE)).astype(dtype)
    w = u(-1, 1, (gates * UNITS, IN_SIZE)).astype(dtype)
    wh = u(-1, 1, (gates * UNITS, UNITS)).astype(dtype)
    biases = [u(-1, 1, (gates * UNITS,)).astype(dtype) for _ in range(_N_BIASES[kind])]
    return tuple([x] + states + [w, wh] + biases)


# Steps of 3, 2, 2 and 1 rows over four sequences, the last one empty.
_CASES = [((3, 2, 2, 1), 4), ((1,), 1)]


@testing.parameterize(*testing.product({
    'kind': list(_KINDS),
    'case': _CASES,
    'reverse': [False, True],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestNStepLayer(testing.FunctionTestCase):

    dodge_nondifferentiable = True

    def setUp(self):
        R.set_tolerances(self, self.dtype)
        if self.dtype == numpy.float16 and self.kind == 'rnn_relu':
            self.skip_double_backward_test = True

    def generate_inputs(self):
        batches, n_seqs = self.case
        return _inputs(self.kind, batches, n_seqs, self.dtype)

    def forward(self, inputs, device):
        node = _KINDS[self.kind][0](self.case[0], self.reverse)
        return node.apply(inputs)

    def forward_expected(self, inputs):
        out = _layer_ref(self.kind, inputs, self.case[0], self.reverse)
        return tuple(a.astype(self.dtype) for a in out)


@pytest.mark.parametrize('kind', list(_KINDS))
@pytest.mark.parametrize('reverse', [False, True])
def test_matches_composed_reference(kind, reverse):
    node_class, composed, _, _, _ = _KINDS[kind]
    batches = (3, 3, 1)
    inputs = [chainer.Variable(a) for a in _inputs(kind, batches, 3, numpy.float64)]
    fused = node_class(batches, reverse).apply(inputs)
    ref = composed(*inputs, batches, reverse)
    gys = [numpy.random.uniform(-1, 1, v.shape) for v in fused]
    grads_f = chainer.grad(list(fused), inputs, gys)
    grads_c = chainer.grad(list(ref), inputs, gys)
    for a, b in zip(list(fused) + grads_f, list(ref) + grads_c):
        numpy.testing.assert_allclose(a.array, b.array, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('kind', list(_KINDS))
def test_gradient_of_selected_inputs_only(kind):
    node_class, _, _, with_c, _ = _KINDS[kind]
    batches = (2, 1)
    inputs = list(_inputs(kind, batches, 2, numpy.float64))
    k = 3 if with_c else 2  # the input weight
    w = inputs[k]
    w_var = chainer.Variable(w)
    y = node_class(batches).apply(inputs[:k] + [w_var] + inputs[k + 1:])[0]
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert w_var.grad.shape == w.shape

    def f(w):
        return node_class(batches).apply(inputs[:k] + [w] + inputs[k + 1:])[0]
    gradient_check.check_double_backward(
        f, (w,), numpy.random.uniform(-1, 1, y.shape), numpy.random.uniform(-1, 1, w.shape),
        atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('kind', list(_KINDS))
@pytest.mark.parametrize('which, shape', [
    (0, (6, IN_SIZE)),       # rows do not add up to the steps
    (1, (2, UNITS)),         # fewer sequences than the first step
    (-3, (1, IN_SIZE + 1)),  # a weight of another size
    (-1, (1,)),              # bias of another size
])
def test_bad_input(kind, which, shape):
    node_class, _, gates, _, _ = _KINDS[kind]
    batches = (3, 2)
    inputs = list(_inputs(kind, batches, 3, numpy.float32))
    inputs[which] = numpy.zeros(shape, numpy.float32)
    with pytest.raises(type_check.InvalidType):
        node_class(batches).apply(inputs)


@pytest.mark.parametrize('kind', list(_KINDS))
def test_bad_dtype(kind):
    inputs = list(_inputs(kind, (1,), 1, numpy.float32))
    inputs[-2] = inputs[-2].astype(numpy.float64)
    with pytest.raises(type_check.InvalidType):
        _KINDS[kind][0]((1,)).apply(inputs)


def test_rnn_layer_bad_activation():
    with pytest.raises(ValueError):
        n_step_rnn.NStepRNNLayer((1,), activation='sigmoid')


@pytest.mark.parametrize('kind, which, name', [
    ('lstm', 2, 'c0'),   # the cell state
    ('gru', -1, 'bh'),   # the hidden-side bias
    ('rnn_tanh', -1, 'b'),
])
def test_bad_input_names_the_input(kind, which, name):
    inputs = list(_inputs(kind, (2,), 2, numpy.float32))
    inputs[which] = numpy.zeros(inputs[which].shape[:-1] + (1,), numpy.float32)
    with pytest.raises(type_check.InvalidType, match=f'{name}.shape'):
        _KINDS[kind][0]((2,)).apply(inputs)


def test_lstm_cell_state_of_another_size():
    inputs = list(_inputs('lstm', (1,), 1, numpy.float32))
    inputs[2] = numpy.zeros((1, UNITS + 1), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        n_step_lstm.NStepLSTMLayer((1,)).apply(inputs)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_lstm_layer_gates_bit_for_bit(dtype):
    """The NumPy step activates the gate blocks in place; each block keeps the
    values of its own activation (sigmoid as tanh(z / 2) / 2 + 1 / 2, the cell
    input as tanh), infinities, NaN and huge values included."""
    units = 8
    special = numpy.array([0.0, numpy.inf, -numpy.inf, numpy.nan, 1e30, -1e30, 3.0,
                           -0.7, 1e-30, 25.0, -25.0, 0.5], dtype)
    rng = numpy.random.RandomState(0)
    b = rng.permutation(numpy.resize(special, 4 * units)).astype(dtype)
    x = rng.uniform(-1, 1, (2, IN_SIZE)).astype(dtype)
    h0 = rng.uniform(-1, 1, (2, units)).astype(dtype)
    c0 = rng.uniform(-1, 1, (2, units)).astype(dtype)
    w = numpy.zeros((4 * units, IN_SIZE), dtype)
    wh = numpy.zeros((4 * units, units), dtype)
    with numpy.errstate(invalid='ignore'):
        y, h, c = n_step_lstm.NStepLSTMLayer((2,)).apply((x, h0, c0, w, wh, b))
        half = dtype(0.5)
        i, f, o, a = numpy.split(numpy.broadcast_to(b, (2, 4 * units)), 4, axis=1)
        i, f, o = [numpy.tanh(g * half) * half + half for g in (i, f, o)]
        c_ref = f * c0 + i * numpy.tanh(a)
        h_ref = o * numpy.tanh(c_ref)
    for got, expected in ((y, h_ref), (h, h_ref), (c, c_ref)):
        assert got.dtype == expected.dtype
        assert got.array.tobytes() == expected.tobytes()


def _lstm_row_major(x, h0, c0, w, wh, b, batches, reverse, gy, gh, gc):
    """The LSTM layer and its gradients on row-major ``(n, 4H)`` step rows, in the
    order of operations of the NumPy layer (the values it must give bit for bit,
    whatever layout it keeps the gates in)."""
    units = h0.shape[1]
    half = x.dtype.type(0.5)
    proj = numpy.matmul(x, w.T)
    proj += b
    h, c = h0.copy(), c0.copy()
    spans = list(zip(numpy.cumsum((0,) + batches[:-1]), batches))
    if reverse:
        spans.reverse()
    y = numpy.empty((len(x), units), x.dtype)
    h_prev = numpy.empty_like(y)
    saved = []
    for s, n in spans:
        g = proj[s:s + n] + numpy.matmul(h[:n], wh.T)
        i, f, o = [numpy.tanh(z * half) * half + half
                   for z in numpy.split(g[:, :3 * units], 3, axis=1)]
        a = numpy.tanh(g[:, 3 * units:])
        h_prev[s:s + n] = h[:n]
        c_new = f * c[:n]
        c_new += i * a
        t = numpy.tanh(c_new)
        saved.append((i, f, o, a, c[:n].copy(), t))
        h[:n], c[:n], y[s:s + n] = o * t, c_new, o * t
    gh, gc = gh.copy(), gc.copy()
    gin = numpy.empty((len(x), 4 * units), x.dtype)
    for (s, n), (i, f, o, a, cp, t) in zip(spans[::-1], saved[::-1]):
        ghn, gcn = gh[:n], gc[:n]
        ghn += gy[s:s + n]
        gcn += (1 - t * t) * o * ghn
        d = gin[s:s + n]
        d[:, :units] = (gcn * a) * (i - i * i)
        d[:, units:2 * units] = (gcn * cp) * (f - f * f)
        d[:, 2 * units:3 * units] = (ghn * t) * (o - o * o)
        d[:, 3 * units:] = (1 - a * a) * i * gcn
        gcn *= f
        ghn[...] = d @ wh
    return (y, h, c), (gin @ w, gh, gc, gin.T @ x, gin.T @ h_prev, gin.sum(axis=0))


@pytest.mark.parametrize('reverse', [False, True])
def test_lstm_layer_matches_row_major_math_bit_for_bit(reverse):
    """The NumPy layer keeps each step's gates gate-major (contiguous blocks);
    its outputs and gradients are those of the row-major step math, bit for bit,
    over runs of equal steps and steps that shrink (and batches beyond the
    few-rows product's limit)."""
    rng = numpy.random.RandomState(1)
    batches, units, in_size = (40, 40, 33, 7, 1), 8, 5
    f32 = numpy.float32
    x = rng.uniform(-1, 1, (sum(batches), in_size)).astype(f32)
    h0, c0 = [rng.uniform(-1, 1, (40, units)).astype(f32) for _ in range(2)]
    w = rng.uniform(-1, 1, (4 * units, in_size)).astype(f32)
    wh = rng.uniform(-1, 1, (4 * units, units)).astype(f32)
    b = rng.uniform(-1, 1, 4 * units).astype(f32)
    gy = rng.uniform(-1, 1, (sum(batches), units)).astype(f32)
    gh, gc = [rng.uniform(-1, 1, (40, units)).astype(f32) for _ in range(2)]
    inputs = [chainer.Variable(a) for a in (x, h0, c0, w, wh, b)]
    outs = n_step_lstm.NStepLSTMLayer(batches, reverse).apply(inputs)
    grads = chainer.grad(list(outs), inputs, [gy, gh, gc])
    outs_ref, grads_ref = _lstm_row_major(x, h0, c0, w, wh, b, batches, reverse,
                                          gy, gh, gc)
    for got, expected in zip(list(outs) + list(grads), outs_ref + grads_ref):
        assert got.array.tobytes() == expected.tobytes()


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('kind', list(_KINDS))
@pytest.mark.parametrize('reverse', [False, True])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_cupy_branch_matches_numpy(monkeypatch, kind, reverse, dtype):
    """The layers' CuPy code (fused LSTM step kernels compiled for the host) on
    NumPy arrays, against their NumPy code."""
    from tests.chainer_tests import _host_kernels
    node_class = _KINDS[kind][0]
    batches = (3, 2, 2, 1)
    inputs = _inputs(kind, batches, 4, dtype)
    results = []
    for on_gpu in (False, True):
        with monkeypatch.context() as m:
            if on_gpu:
                modules = [mod for mod in (n_step_rnn, n_step_lstm, n_step_gru)
                           if hasattr(mod, 'backend')]
                _host_kernels.cupy_branch(m, *modules)
            vs = [chainer.Variable(a.copy()) for a in inputs]
            outs = node_class(batches, reverse).apply(vs)
            gys = [numpy.linspace(-1, 1, o.size).reshape(o.shape).astype(dtype) for o in outs]
            grads = chainer.grad(list(outs), vs, gys)
            results.append([o.array for o in outs] + [g.array for g in grads])
            if on_gpu and kind == 'lstm':
                assert set(_host_kernels.launched) == {'rechainer_nstep_lstm_fwd',
                                                      'rechainer_nstep_lstm_bwd'}
    tol = {'rtol': 2e-2, 'atol': 2e-2} if dtype == numpy.float16 else {'rtol': 1e-5,
                                                                        'atol': 1e-6}
    for got, expected in zip(results[1], results[0]):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        numpy.testing.assert_allclose(got, expected, **tol)


@pytest.mark.parametrize('node, gates, states', [
    (n_step_lstm.NStepLSTMLayer, 4, 2), (n_step_gru.NStepGRULayer, 3, 1)])
def test_float16_layer_casts_each_operand_where_it_is_read(node, gates, states):
    # float16's float32 copies of x and w are gone before those of the hidden-state
    # weight and the steps' arrays are made, and the LSTM's gate-major projections
    # are moved in place: the layer holds the float32 hidden weight, the projections
    # and the per-row states at once, not also the input weight and a second
    # projection array.
    rs = numpy.random.RandomState(0)
    units, batches = 128, (20, 18, 15, 10, 7, 3, 2, 1)
    n = sum(batches)
    f16 = numpy.float16
    x = rs.randn(n, units).astype(f16)
    hs = [rs.randn(batches[0], units).astype(f16) for _ in range(states)]
    w, wh = (rs.randn(gates * units, units).astype(f16) * f16(0.1) for _ in range(2))
    bs = [rs.randn(gates * units).astype(f16) for _ in range(1 if states == 2 else 2)]
    with chainer.no_backprop_mode():
        peak = peak_bytes(lambda: node(batches).apply((x, *hs, w, wh, *bs)))
    w32 = wh.size * 4
    proj = n * gates * units * 4
    assert peak < w32 + 1.5 * proj + 8 * n * units * 4, peak
