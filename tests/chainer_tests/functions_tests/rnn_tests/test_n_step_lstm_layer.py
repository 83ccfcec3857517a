"""Tests of NStepLSTMLayer, the node running one layer and direction of
F.n_step_lstm, against a NumPy loop and against its composed reference."""
import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.rnn import n_step_lstm
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R

IN_SIZE, UNITS = 3, 2


def _layer_ref(x, h0, c0, w, wh, b, batches, reverse):
    """The layer one step at a time in float64 (gate blocks i, f, o, a)."""
    x, h, c, w, wh, b = (numpy.asarray(v, numpy.float64) for v in (x, h0, c0, w, wh, b))
    h, c = h.copy(), c.copy()
    starts = numpy.concatenate([[0], numpy.cumsum(batches)[:-1]]).astype(int)
    order = range(len(batches) - 1, -1, -1) if reverse else range(len(batches))
    y = numpy.zeros((len(x), h.shape[1]))
    for t in order:
        n, s = batches[t], starts[t]
        g = x[s:s + n] @ w.T + b + h[:n] @ wh.T
        i, f, o, a = numpy.split(g, 4, axis=1)
        c[:n] = R.sigmoid(f) * c[:n] + R.sigmoid(i) * numpy.tanh(a)
        h[:n] = R.sigmoid(o) * numpy.tanh(c[:n])
        y[s:s + n] = h[:n]
    return y, h, c


def _inputs(batches, n_seqs, dtype):
    u = numpy.random.uniform
    n_rows = sum(batches)
    return (u(-1, 1, (n_rows, IN_SIZE)).astype(dtype),
            u(-1, 1, (n_seqs, UNITS)).astype(dtype),
            u(-1, 1, (n_seqs, UNITS)).astype(dtype),
            u(-1, 1, (4 * UNITS, IN_SIZE)).astype(dtype),
            u(-1, 1, (4 * UNITS, UNITS)).astype(dtype),
            u(-1, 1, (4 * UNITS,)).astype(dtype))


# Steps of 3, 2, 2 and 1 rows over four sequences, the last one empty.
_CASES = [((3, 2, 2, 1), 4), ((1,), 1)]


@testing.parameterize(*testing.product({
    'case': _CASES,
    'reverse': [False, True],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestNStepLSTMLayer(testing.FunctionTestCase):

    def setUp(self):
        R.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        batches, n_seqs = self.case
        return _inputs(batches, n_seqs, self.dtype)

    def forward(self, inputs, device):
        node = n_step_lstm.NStepLSTMLayer(self.case[0], self.reverse)
        return node.apply(inputs)

    def forward_expected(self, inputs):
        out = _layer_ref(*inputs, self.case[0], self.reverse)
        return tuple(a.astype(self.dtype) for a in out)


@pytest.mark.parametrize('reverse', [False, True])
def test_matches_composed_reference(reverse):
    batches = (3, 3, 1)
    inputs = [chainer.Variable(a) for a in _inputs(batches, 3, numpy.float64)]
    fused = n_step_lstm.NStepLSTMLayer(batches, reverse).apply(inputs)
    composed = n_step_lstm.composed_layer(*inputs, batches, reverse)
    gys = [numpy.random.uniform(-1, 1, v.shape) for v in fused]
    grads_f = chainer.grad(list(fused), inputs, gys)
    grads_c = chainer.grad(list(composed), inputs, gys)
    for a, b in zip(list(fused) + grads_f, list(composed) + grads_c):
        numpy.testing.assert_allclose(a.array, b.array, rtol=1e-12, atol=1e-12)


def test_gradient_of_selected_inputs_only():
    batches = (2, 1)
    x, h0, c0, w, wh, b = _inputs(batches, 2, numpy.float64)
    w_var = chainer.Variable(w)
    y, _, _ = n_step_lstm.NStepLSTMLayer(batches).apply((x, h0, c0, w_var, wh, b))
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert w_var.grad.shape == w.shape

    def f(w):
        return n_step_lstm.NStepLSTMLayer(batches).apply((x, h0, c0, w, wh, b))[0]
    gradient_check.check_double_backward(
        f, (w,), numpy.random.uniform(-1, 1, y.shape), numpy.random.uniform(-1, 1, w.shape),
        atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('which, shape', [
    (0, (6, IN_SIZE)),              # rows do not add up to the steps
    (1, (2, UNITS)),                # fewer sequences than the first step
    (2, (3, UNITS + 1)),            # cell state of another size
    (3, (4 * UNITS, IN_SIZE + 1)),  # input weight of another input size
    (5, (4 * UNITS + 1,)),          # bias of another size
])
def test_bad_input(which, shape):
    batches = (3, 2)
    inputs = list(_inputs(batches, 3, numpy.float32))
    inputs[which] = numpy.zeros(shape, numpy.float32)
    with pytest.raises(type_check.InvalidType):
        n_step_lstm.NStepLSTMLayer(batches).apply(inputs)


def test_bad_dtype():
    inputs = list(_inputs((1,), 1, numpy.float32))
    inputs[4] = inputs[4].astype(numpy.float64)
    with pytest.raises(type_check.InvalidType):
        n_step_lstm.NStepLSTMLayer((1,)).apply(inputs)


testing.run_module(__name__, __file__)
