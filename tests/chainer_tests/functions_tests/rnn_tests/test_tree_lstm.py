"""Tests of F.tree_lstm."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _tree_lstm_ref(*inputs):
    *cs, x = inputs
    n = len(cs)
    g = x.astype(numpy.float64).reshape((x.shape[0], 3 + n) + cs[0].shape[1:])
    c = numpy.tanh(g[:, 0]) * R.sigmoid(g[:, 1])
    for k, ck in enumerate(cs):
        c = c + R.sigmoid(g[:, 3 + k]) * ck
    h = R.sigmoid(g[:, 2]) * numpy.tanh(c)
    return c.astype(x.dtype), h.astype(x.dtype)


@testing.parameterize(*testing.product({
    'n_ary_shape': [(1, (3, 2)), (2, (2, 3, 2)), (3, (2, 2))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTreeLSTM(testing.FunctionTestCase):

    def setUp(self):
        R.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        n, shape = self.n_ary_shape
        x_shape = (shape[0], (3 + n) * shape[1]) + shape[2:]
        cs = [numpy.random.uniform(-1, 1, shape).astype(self.dtype) for _ in range(n)]
        return tuple(cs) + (numpy.random.uniform(-1, 1, x_shape).astype(self.dtype),)

    def forward(self, inputs, device):
        return F.tree_lstm(*inputs)

    def forward_expected(self, inputs):
        return _tree_lstm_ref(*inputs)


def test_tree_lstm_bad_input():
    c = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.tree_lstm(c, c, numpy.zeros((2, 12), numpy.float32))  # needs 15 columns
    with pytest.raises(type_check.InvalidType):
        F.tree_lstm(c, numpy.zeros((3, 12), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.tree_lstm(numpy.zeros((2, 12), numpy.float32))


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gradient_bit_for_bit_as_the_formulas(dtype):
    # The gradient products are formed in place, in Chainer's order as the formulas
    # below (float16 computed in float32 and rounded once): the same bits.
    from chainer.functions.rnn.tree_lstm import TreeLSTMGrad
    rng = numpy.random.RandomState(3)
    c1, c2, gc, gh = (rng.uniform(-1, 1, (3, 4, 2)).astype(dtype) for _ in range(4))
    x = rng.uniform(-3, 3, (3, 20, 2)).astype(dtype)
    got = [v.array for v in TreeLSTMGrad().apply((c1, c2, x, gc, gh))]
    cd = numpy.float64 if dtype == numpy.float64 else numpy.float32
    one, half = cd(1), cd(0.5)

    def sig(v):
        return numpy.tanh(v * half) * half + half
    a_in, i_in, o_in, f1_in, f2_in = (x.reshape(3, 5, 8)[:, k].astype(cd) for k in range(5))
    a, i, o, f1, f2 = numpy.tanh(a_in), sig(i_in), sig(o_in), sig(f1_in), sig(f2_in)
    cs = [v.reshape(3, 8).astype(cd) for v in (c1, c2)]
    c = a * i + sum([f1 * cs[0], f2 * cs[1]])  # Chainer's order
    t = numpy.tanh(c)
    ghc = gh.reshape(3, 8).astype(cd)
    u = ghc * o * (one - t * t) + gc.reshape(3, 8).astype(cd)
    gx = numpy.stack([u * i * (one - a * a), u * a * (i * (one - i)), ghc * t * (o * (one - o)),
                      u * cs[0] * (f1 * (one - f1)), u * cs[1] * (f2 * (one - f2))], axis=1)
    expected = [(u * f1).reshape(3, 4, 2), (u * f2).reshape(3, 4, 2), gx.reshape(x.shape)]
    for g, e in zip(got, expected):
        assert g.dtype == dtype
        assert g.tobytes() == e.astype(dtype).tobytes()


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_tree_lstm_bits(dtype):
    """Chainer's order: c = a i + (((0 + f1 c1) + f2 c2) + f3 c3) (Python's sum of
    the children's terms), and the gate gradients u a (i (1 - i)) etc."""
    import chainer
    rs = numpy.random.RandomState(4)
    cs = [rs.uniform(-1, 1, (3, 4)).astype(dtype) for _ in range(3)]
    x = rs.uniform(-1, 1, (3, 24)).astype(dtype)
    gc = rs.uniform(-1, 1, (3, 4)).astype(dtype)
    gh = rs.uniform(-1, 1, (3, 4)).astype(dtype)
    xv = chainer.Variable(x)
    c, h = F.tree_lstm(*cs, xv)
    half = dtype(0.5)

    def sig(v):
        return numpy.tanh(v * half) * half + half
    a = numpy.tanh(x[:, 0:4])
    i, o = sig(x[:, 4:8]), sig(x[:, 8:12])
    fs = [sig(x[:, 12 + 4 * k:16 + 4 * k]) for k in range(3)]
    c_exp = a * i + sum(f * ck for f, ck in zip(fs, cs))
    numpy.testing.assert_array_equal(c.array, c_exp)
    numpy.testing.assert_array_equal(h.array, o * numpy.tanh(c_exp))
    gx, = chainer.grad([c, h], [xv], grad_outputs=[gc, gh])
    co = numpy.tanh(c_exp)
    u = gh * o * (1 - co * co) + gc
    expected = numpy.concatenate(
        [u * i * (1 - a * a), u * a * (i * (1 - i)), gh * co * (o * (1 - o))]
        + [u * ck * (f * (1 - f)) for f, ck in zip(fs, cs)], axis=1)
    numpy.testing.assert_array_equal(gx.array, expected)
