"""Tests of F.n_step_lstm, n_step_bilstm, n_step_gru, n_step_bigru, n_step_rnn and
n_step_birnn against a NumPy loop over one sequence at a time."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R

N_LAYERS, IN_SIZE, UNITS = 2, 3, 2

# name -> (function, weights per cell, directions, has cell state, step, kwargs)
_KINDS = {
    'lstm': (F.n_step_lstm, 8, 1, True, R.lstm_step, {}),
    'bilstm': (F.n_step_bilstm, 8, 2, True, R.lstm_step, {}),
    'gru': (F.n_step_gru, 6, 1, False, R.gru_step, {}),
    'bigru': (F.n_step_bigru, 6, 2, False, R.gru_step, {}),
    'rnn_tanh': (F.n_step_rnn, 2, 1, False, R.rnn_step('tanh'), {}),
    'rnn_relu': (F.n_step_rnn, 2, 1, False, R.rnn_step('relu'), {'activation': 'relu'}),
    'birnn_tanh': (F.n_step_birnn, 2, 2, False, R.rnn_step('tanh'), {}),
    'birnn_relu': (F.n_step_birnn, 2, 2, False, R.rnn_step('relu'),
                   {'activation': 'relu'}),
}


def _tm(seqs):
    """Sequences sorted by decreasing length <-> time-major lists."""
    return tuple(F.transpose_sequence(list(seqs)))


def make_params(n_w, n_dirs, dtype, lengths, in_size=IN_SIZE, units=UNITS):
    u = numpy.random.uniform
    ws, bs = [], []
    for layer in range(N_LAYERS):
        for _ in range(n_dirs):
            ins = in_size if layer == 0 else units * n_dirs
            ws.append([u(-1, 1, (units, ins if k < n_w // 2 else units)).astype(dtype)
                       for k in range(n_w)])
            bs.append([u(-1, 1, (units,)).astype(dtype) for _ in range(n_w)])
    xs = [u(-1, 1, (n, in_size)).astype(dtype) for n in lengths]
    hx = u(-1, 1, (N_LAYERS * n_dirs, len(lengths), units)).astype(dtype)
    cx = u(-1, 1, hx.shape).astype(dtype)
    return hx, cx, ws, bs, xs


@testing.parameterize(*testing.product({
    'kind': list(_KINDS),
    'lengths': [(3, 2, 2), (2,)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestNStepRNNs(testing.FunctionTestCase):

    dodge_nondifferentiable = True

    def setUp(self):
        self.func, self.n_w, self.n_dirs, self.with_c, self.step, self.kwargs = \
            _KINDS[self.kind]
        R.set_tolerances(self, self.dtype)
        if self.dtype == numpy.float16 and self.kind.endswith('relu'):
            self.skip_double_backward_test = True

    def generate_inputs(self):
        hx, cx, ws, bs, xs = make_params(self.n_w, self.n_dirs, self.dtype, self.lengths)
        flat = [hx] + ([cx] if self.with_c else [])
        for w, b in zip(ws, bs):
            flat += w + b
        return tuple(flat + xs)

    def _unflatten(self, inputs):
        inputs = list(inputs)
        hx = inputs.pop(0)
        cx = inputs.pop(0) if self.with_c else None
        ws, bs = [], []
        for _ in range(N_LAYERS * self.n_dirs):
            ws.append(inputs[:self.n_w])
            bs.append(inputs[self.n_w:2 * self.n_w])
            inputs = inputs[2 * self.n_w:]
        return hx, cx, ws, bs, inputs

    def forward(self, inputs, device):
        # The functions take and return time-major lists, as Chainer's.
        hx, cx, ws, bs, xs = self._unflatten(inputs)
        if self.with_c:
            hy, cy, ys = self.func(N_LAYERS, 0.0, hx, cx, ws, bs, _tm(xs), **self.kwargs)
            return (hy, cy) + _tm(ys)
        hy, ys = self.func(N_LAYERS, 0.0, hx, ws, bs, _tm(xs), **self.kwargs)
        return (hy,) + _tm(ys)

    def forward_expected(self, inputs):
        hx, cx, ws, bs, xs = self._unflatten(inputs)
        hy, cy, ys = R.n_step(self.step, N_LAYERS, self.n_dirs, hx, cx, ws, bs, xs)
        out = [hy] + ([cy] if self.with_c else []) + ys
        return tuple(numpy.asarray(a, self.dtype) for a in out)


def _call(name, hx, cx, ws, bs, xs, **kwargs):
    func, _, _, with_c, _, kw = _KINDS[name]
    kw = dict(kw, **kwargs)
    if with_c:
        return func(N_LAYERS, 0.0, hx, cx, ws, bs, _tm(xs), **kw)
    return func(N_LAYERS, 0.0, hx, ws, bs, _tm(xs), **kw)


@pytest.mark.parametrize('name', ['lstm', 'bigru', 'birnn_tanh'])
def test_hx_none_means_zeros(name):
    _, n_w, n_dirs, with_c, _, _ = _KINDS[name]
    hx, cx, ws, bs, xs = make_params(n_w, n_dirs, numpy.float32, (3, 1))
    zeros = numpy.zeros_like(hx)
    got = _call(name, None, None, ws, bs, xs)
    want = _call(name, zeros, zeros, ws, bs, xs)
    for g, w in zip(got[-1], want[-1]):
        numpy.testing.assert_array_equal(g.array, w.array)
    numpy.testing.assert_array_equal(got[0].array, want[0].array)


def test_dropout_between_layers():
    hx, cx, ws, bs, xs = make_params(8, 1, numpy.float32, (4, 3))
    xs = _tm(xs)
    with chainer.using_config('train', False):
        a = F.n_step_lstm(N_LAYERS, 0.5, hx, cx, ws, bs, xs)[2]
        b = F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, xs)[2]
    for p, q in zip(a, b):
        numpy.testing.assert_array_equal(p.array, q.array)
    numpy.random.seed(1)
    c = F.n_step_lstm(N_LAYERS, 0.5, hx, cx, ws, bs, xs)[2]
    assert any(not numpy.allclose(p.array, q.array) for p, q in zip(c, b))
    # The first layer's input is not dropped: one layer gives the same result.
    one = F.n_step_lstm(1, 0.9, hx[:1], cx[:1], ws[:1], bs[:1], xs)[2]
    ref = F.n_step_lstm(1, 0.0, hx[:1], cx[:1], ws[:1], bs[:1], xs)[2]
    for p, q in zip(one, ref):
        numpy.testing.assert_array_equal(p.array, q.array)


@pytest.mark.parametrize('name', ['lstm', 'bigru', 'birnn_tanh'])
def test_ratio_zero_draws_the_masks_too(name):
    # As in Chainer, every layer after the first draws its dropout mask at a ratio
    # of 0 too, so the random draws after the call do not depend on the ratio.
    _, n_w, n_dirs, with_c, _, _ = _KINDS[name]
    hx, cx, ws, bs, xs = make_params(n_w, n_dirs, numpy.float32, (3, 2))
    draws = []
    for ratio in (0.0, 0.5):
        numpy.random.seed(3)
        func, _, _, _, _, kw = _KINDS[name]
        if with_c:
            func(N_LAYERS, ratio, hx, cx, ws, bs, _tm(xs), **kw)
        else:
            func(N_LAYERS, ratio, hx, ws, bs, _tm(xs), **kw)
        draws.append(numpy.random.random_sample(3))
    numpy.random.seed(3)
    assert not numpy.array_equal(draws[0], numpy.random.random_sample(3))
    numpy.testing.assert_array_equal(draws[0], draws[1])


def test_rows_of_hx_beyond_the_batch_keep_their_state():
    # As Chainer: hx may have more rows than xs[0]; those states pass through.
    hx, cx, ws, bs, xs = make_params(8, 2, numpy.float64, (2, 0))
    hy, cy, ys = F.n_step_bilstm(N_LAYERS, 0.0, hx, cx, ws, bs, _tm(xs))
    numpy.testing.assert_array_equal(hy.array[:, 1], hx[:, 1])
    numpy.testing.assert_array_equal(cy.array[:, 1], cx[:, 1])
    assert [y.shape for y in ys] == [(1, 2 * UNITS)] * 2


def test_time_major_as_chainer():
    # xs[t] holds step t of the sequences longer than t; ys likewise.
    hx, cx, ws, bs, xs = make_params(6, 1, numpy.float64, (3, 1))
    hy, ys = F.n_step_gru(N_LAYERS, 0.0, hx, ws, bs, _tm(xs))
    assert [y.shape for y in ys] == [(2, UNITS), (1, UNITS), (1, UNITS)]
    want_hy, _, want_ys = R.n_step(R.gru_step, N_LAYERS, 1, hx, None, ws, bs, xs)
    numpy.testing.assert_allclose(hy.array, want_hy, rtol=1e-10)
    numpy.testing.assert_allclose(ys[0].array, [want_ys[0][0], want_ys[1][0]], rtol=1e-10)
    numpy.testing.assert_allclose(ys[2].array, want_ys[0][2:3], rtol=1e-10)


@pytest.mark.parametrize('name', list(_KINDS))
def test_trailing_empty_steps_get_empty_outputs(name):
    # As in Chainer: one output per time-major step, empty steps included, and
    # steps that are all empty pass the states through.
    _, n_w, n_dirs, with_c, _, _ = _KINDS[name]
    hx, cx, ws, bs, xs = make_params(n_w, n_dirs, numpy.float32, (2, 1))
    width = n_dirs * UNITS
    steps = list(_tm(xs))
    empty = numpy.zeros((0, IN_SIZE), numpy.float32)
    out = _call_time_major(name, hx, cx, ws, bs, steps + [empty, empty])
    want = _call_time_major(name, hx, cx, ws, bs, steps)
    assert [y.shape for y in out[-1]] == [(2, width), (1, width), (0, width), (0, width)]
    for o, w in zip(out, want):
        if not isinstance(o, tuple):
            numpy.testing.assert_array_equal(o.array, w.array)
    out = _call_time_major(name, hx, cx, ws, bs, [empty])
    assert [y.shape for y in out[-1]] == [(0, width)]
    numpy.testing.assert_array_equal(out[0].array, hx)
    if with_c:
        numpy.testing.assert_array_equal(out[1].array, cx)


def _call_time_major(name, hx, cx, ws, bs, steps):
    func, _, _, with_c, _, kw = _KINDS[name]
    if with_c:
        return func(N_LAYERS, 0.0, hx, cx, ws, bs, steps, **kw)
    return func(N_LAYERS, 0.0, hx, ws, bs, steps, **kw)


def test_too_few_weights_is_also_an_index_error():
    # Chainer indexed past the end of ws (or of one cell's list): IndexError.
    hx, cx, ws, bs, xs = make_params(2, 1, numpy.float32, (2, 1))
    for bad_ws, bad_bs in ((ws[:1], bs[:1]), ([ws[0], ws[1][:1]], bs)):
        with pytest.raises(IndexError):
            F.n_step_rnn(N_LAYERS, 0.0, hx, bad_ws, bad_bs, _tm(xs))
        with pytest.raises(ValueError):
            F.n_step_rnn(N_LAYERS, 0.0, hx, bad_ws, bad_bs, _tm(xs))


def test_bad_inputs():
    hx, cx, ws, bs, xs = make_params(8, 1, numpy.float32, (3, 2))
    with pytest.raises(type_check.InvalidType):  # batch sizes increasing over time
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, _tm(xs)[::-1])
    xs = _tm(xs)
    with pytest.raises(ValueError):
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, [])
    with pytest.raises(IndexError):  # what Chainer raised, taking xs[0]
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, [])
    with pytest.raises(ValueError):  # one layer of weights missing
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws[:1], bs[:1], xs)
    with pytest.raises(ValueError):  # GRU weights for an LSTM
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, [w[:6] for w in ws], bs, xs)
    with pytest.raises(type_check.InvalidType):  # hidden size mismatch
        F.n_step_lstm(N_LAYERS, 0.0, hx[:, :, :1], cx, ws, bs, xs)
    with pytest.raises(type_check.InvalidType):  # batch mismatch
        F.n_step_lstm(N_LAYERS, 0.0, hx[:, :1], cx, ws, bs, xs)
    with pytest.raises(type_check.InvalidType):  # dtype mismatch
        F.n_step_lstm(N_LAYERS, 0.0, hx.astype(numpy.float64), cx, ws, bs, xs)
    with pytest.raises(type_check.InvalidType):  # input size mismatch
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, [xs[0], xs[1][:, :2], xs[2]])
    with pytest.raises(ValueError):  # inputs and weights disagree: Chainer's ValueError
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, [x[:, :2] for x in xs])
    with pytest.raises(ValueError):
        F.n_step_rnn(N_LAYERS, 0.0, hx, ws, bs, xs, activation='sigmoid')
    with pytest.raises(ValueError):
        F.n_step_lstm(N_LAYERS, 0.0, hx, cx, ws, bs, xs, train=True)
    with pytest.raises(TypeError, match=r"^n_step_gru\(\) got unexpected keyword"):
        F.n_step_gru(N_LAYERS, 0.0, hx, ws, bs, xs, foo=1)
    with pytest.raises(TypeError, match=r"^n_step_bilstm\(\) got unexpected keyword"):
        F.n_step_bilstm(N_LAYERS, 0.0, None, None, [], [], [], foo=1)


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('name', sorted(_KINDS))
def test_each_bias_gets_its_own_gradient_array(name):
    # The input- and hidden-side biases enter every gate as a sum, so their
    # gradients are equal; they must still be separate arrays, or an in-place
    # optimizer hook (GradientClipping, WeightDecay) changes both twice.
    _, n_w, n_dirs, _, _, _ = _KINDS[name]
    hx, cx, ws, bs, xs = make_params(n_w, n_dirs, numpy.float32, (3, 2))
    ws = [[chainer.Parameter(w) for w in layer] for layer in ws]
    bs = [[chainer.Parameter(b) for b in layer] for layer in bs]
    out = _call(name, hx, cx, ws, bs, xs)
    F.sum(F.concat(out[-1], axis=0)).backward()
    leaves = [p for layer in ws + bs for p in layer]
    for i, p in enumerate(leaves):
        for q in leaves[i + 1:]:
            assert not numpy.shares_memory(p.grad, q.grad)
    half = n_w // 2
    for layer in bs:
        for k in range(half):
            if name.startswith(('lstm', 'bilstm', 'rnn', 'birnn')):
                numpy.testing.assert_array_equal(layer[k].grad, layer[k + half].grad)


def test_summed_bias_node():
    from chainer.functions.rnn.n_step_rnn import summed_bias
    bx = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    bh = chainer.Variable(numpy.array([.5, -1.], numpy.float32))
    y = summed_bias(bx, bh)
    numpy.testing.assert_array_equal(y.array, [1.5, 1.])
    y.grad = numpy.array([3., 4.], numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(bx.grad, [3., 4.])
    numpy.testing.assert_array_equal(bh.grad, [3., 4.])
    assert not numpy.shares_memory(bx.grad, bh.grad)
    with pytest.raises(type_check.InvalidType):
        summed_bias(bx, numpy.zeros(3, numpy.float32))
    x = [numpy.random.uniform(-1, 1, 3) for _ in range(2)]
    gy = numpy.random.uniform(-1, 1, 3)
    chainer.gradient_check.check_backward(summed_bias, x, gy, dtype=numpy.float64)
    chainer.gradient_check.check_double_backward(
        lambda a, b: summed_bias(a, b) ** 2, x, gy, [numpy.ones(3)] * 2, dtype=numpy.float64)


@pytest.mark.parametrize('name, n_weights, has_cell', [
    ('n_step_rnn', 2, False), ('n_step_birnn', 2, False),
    ('n_step_lstm', 8, True), ('n_step_gru', 6, False)])
def test_none_biases_are_no_biases(name, n_weights, has_cell):
    # Chainer's n_step_rnn took None biases (its linear layers had no bias then).
    rs = numpy.random.RandomState(0)
    xs = [rs.rand(3, 4).astype('f'), rs.rand(2, 4).astype('f')]
    n_dirs = 2 if 'bi' in name else 1
    hx = rs.rand(n_dirs, 3, 5).astype('f')
    half = n_weights // 2
    ws = [[rs.rand(5, 4).astype('f') for _ in range(half)]
          + [rs.rand(5, 5).astype('f') for _ in range(half)] for _ in range(n_dirs)]
    zeros = [[numpy.zeros(5, 'f')] * n_weights for _ in range(n_dirs)]
    nones = [[None] * n_weights for _ in range(n_dirs)]
    f = getattr(F, name)
    state = (hx, hx) if has_cell else (hx,)
    expected = f(1, 0.0, *state, ws, zeros, xs)
    xs_var = [chainer.Variable(x) for x in xs]
    actual = f(1, 0.0, *state, ws, nones, xs_var)
    for e, a in zip(expected[-1], actual[-1]):
        numpy.testing.assert_array_equal(e.array, a.array)
    F.sum(actual[0]).backward()
    assert all(x.grad is not None for x in xs_var)


@pytest.mark.parametrize('name', ['n_step_rnn', 'n_step_gru', 'n_step_lstm'])
@pytest.mark.parametrize('dtype', [numpy.float64, numpy.int32])
def test_time_major_steps_of_mixed_dtypes_are_refused(name, dtype):
    # Chainer's first step that met another dtype refused it (the NStep links,
    # which transpose sequences, cast them instead)
    rs = numpy.random.RandomState(0)
    n_w = {'n_step_rnn': 2, 'n_step_gru': 6, 'n_step_lstm': 8}[name]
    ws = [[rs.rand(3, 2 if j < n_w // 2 else 3).astype(numpy.float32) for j in range(n_w)]]
    bs = [[rs.rand(3).astype(numpy.float32) for _ in range(n_w)]]
    hx = numpy.zeros((1, 2, 3), numpy.float32)
    xs = [rs.rand(2, 2).astype(numpy.float32), rs.rand(1, 2).astype(dtype)]
    states = (hx, hx) if name == 'n_step_lstm' else (hx,)
    with pytest.raises(type_check.InvalidType, match=r'xs\[1\]\.dtype == xs\[0\]\.dtype'):
        getattr(F, name)(1, 0.0, *states, ws, bs, xs)


@pytest.mark.parametrize('name', ['n_step_rnn', 'n_step_birnn'])
@pytest.mark.parametrize('w_dtype', [numpy.float16, numpy.float64])
@pytest.mark.parametrize('index', [0, 1])
def test_plain_rnn_takes_a_weight_of_another_float_dtype(name, w_dtype, index):
    # Chainer applied each weight of the plain RNNs with F.linear, which takes it
    # (the weight's gradient comes back in its own dtype)
    rs = numpy.random.RandomState(0)
    dirs = 2 if name == 'n_step_birnn' else 1
    hx = rs.uniform(-1, 1, (dirs, 3, 3)).astype(numpy.float32)
    ws = [[rs.uniform(-1, 1, (3, 2)).astype(numpy.float32),
           rs.uniform(-1, 1, (3, 3)).astype(numpy.float32)] for _ in range(dirs)]
    bs = [[rs.uniform(-1, 1, 3).astype(numpy.float32) for _ in range(2)] for _ in range(dirs)]
    xs = [rs.uniform(-1, 1, (n, 2)).astype(numpy.float32) for n in (3, 2, 1)]
    w = chainer.Variable(ws[0][index].astype(w_dtype))
    given = [list(layer) for layer in ws]
    given[0][index] = w
    expected = [list(layer) for layer in ws]
    expected[0][index] = w.array.astype(numpy.float32)
    hy, ys = getattr(F, name)(1, 0.0, hx, given, bs, xs)
    ehy, eys = getattr(F, name)(1, 0.0, hx, expected, bs, xs)
    assert hy.dtype == numpy.float32
    numpy.testing.assert_array_equal(hy.array, ehy.array)
    for y, e in zip(ys, eys):
        numpy.testing.assert_array_equal(y.array, e.array)
    F.sum(hy).backward()
    assert w.grad.dtype == w_dtype and w.grad.shape == w.shape
    with pytest.raises(type_check.InvalidType):
        bad = [list(layer) for layer in ws]
        bad[0][index] = ws[0][index]
        bad_bs = [list(layer) for layer in bs]
        bad_bs[0][index] = bs[0][index].astype(w_dtype)
        getattr(F, name)(1, 0.0, hx, bad, bad_bs, xs)
