"""Tests of F.slstm."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _slstm_ref(c1, c2, x1, x2):
    shape = (x1.shape[0], c1.shape[1], 4) + x1.shape[2:]
    g1 = x1.astype(numpy.float64).reshape(shape)
    g2 = x2.astype(numpy.float64).reshape(shape)
    # Chainer 7.8.1 activates each child's cell input and input gate on its own
    # (its docstring writes tanh(a1 + a2) sigmoid(i1 + i2)); only o is summed first.
    a1, a2 = numpy.tanh(g1[:, :, 0]), numpy.tanh(g2[:, :, 0])
    i1, i2 = R.sigmoid(g1[:, :, 1]), R.sigmoid(g2[:, :, 1])
    o = R.sigmoid(g1[:, :, 3] + g2[:, :, 3])
    c = a1 * i1 + a2 * i2 + R.sigmoid(g1[:, :, 2]) * c1 + R.sigmoid(g2[:, :, 2]) * c2
    return c.astype(c1.dtype), (o * numpy.tanh(c)).astype(c1.dtype)


@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 8)), ((2, 2, 3), (2, 8, 3))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSLSTM(testing.FunctionTestCase):

    def setUp(self):
        R.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        c_shape, x_shape = self.shapes
        u = numpy.random.uniform
        return (u(-1, 1, c_shape).astype(self.dtype), u(-1, 1, c_shape).astype(self.dtype),
                u(-1, 1, x_shape).astype(self.dtype), u(-1, 1, x_shape).astype(self.dtype))

    def forward(self, inputs, device):
        return F.slstm(*inputs)

    def forward_expected(self, inputs):
        return _slstm_ref(*inputs)


def test_slstm_bad_input():
    c = numpy.zeros((2, 3), numpy.float32)
    x = numpy.zeros((2, 12), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.slstm(c, numpy.zeros((3, 3), numpy.float32), x, x)
    with pytest.raises(type_check.InvalidType):
        F.slstm(c, c, x, numpy.zeros((2, 8), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.slstm(c, c, x, x.astype(numpy.float64))


testing.run_module(__name__, __file__)


def test_values_as_chainer():
    # Chainer 7.8.1's F.slstm on these inputs (one unit): the children's cell
    # inputs are activated separately, tanh(a1) sigmoid(i1) + tanh(a2) sigmoid(i2).
    c1 = numpy.array([[0.5]], numpy.float32)
    c2 = numpy.array([[-0.25]], numpy.float32)
    x1 = numpy.array([[1.0, 2.0, 0.5, -1.0]], numpy.float32)
    x2 = numpy.array([[-2.0, 0.5, 1.5, 0.25]], numpy.float32)
    c, h = F.slstm(c1, c2, x1, x2)
    sig = R.sigmoid
    want_c = (numpy.tanh(1.0) * sig(2.0) + numpy.tanh(-2.0) * sig(0.5)
              + sig(0.5) * 0.5 + sig(1.5) * -0.25)
    numpy.testing.assert_allclose(c.array, [[want_c]], rtol=1e-6)
    numpy.testing.assert_allclose(h.array, [[sig(-0.75) * numpy.tanh(want_c)]], rtol=1e-6)


def test_node_keeps_the_new_cell():
    # As in Chainer, the node retains its output c (``output_data``), not h.
    rs = numpy.random.RandomState(1)
    c1, c2 = (rs.randn(2, 3).astype(numpy.float32) for _ in range(2))
    x1, x2 = (rs.randn(2, 12).astype(numpy.float32) for _ in range(2))
    c, h = F.slstm(c1, c2, x1, x2)
    node = c.creator
    numpy.testing.assert_array_equal(node.output_data[0], c.array)
    assert node.output_data[1] is None


def test_check_messages_follow_chainers_order():
    def z(*s):
        return numpy.zeros(s, numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        F.slstm(z(2, 4), z(2, 4), z(2, 12), z(2, 16))
    assert str(e.value).endswith('Expect: x1.shape[1] == 4 * c_prev1.shape[1]\nActual: 12 != 16')
    with pytest.raises(type_check.InvalidType) as e:
        F.slstm(z(2, 4), z(2, 4), z(2, 16), z(2, 16, 2))
    assert str(e.value).endswith('Expect: c_prev1.ndim == x2.ndim\nActual: 2 != 3')
    with pytest.raises(ValueError):  # cells of two widths: NumPy's error in Chainer
        F.slstm(z(2, 3), z(2, 4), z(2, 12), z(2, 16))


def test_slstm_grad_node_takes_the_new_cell_and_is_callable():
    # Chainer's SLSTMGrad is called like an old-style Function on
    # (c_prev1, c_prev2, x1, x2, c_next, gc, gh), tanh taken of the given c_next.
    import chainer
    from chainer.functions.rnn import slstm
    rng = numpy.random.RandomState(0)
    c1, c2, c_next, gc, gh = (rng.uniform(-1, 1, (2, 3)) for _ in range(5))
    x1, x2 = (rng.uniform(-1, 1, (2, 12)) for _ in range(2))
    g_c1, g_c2, g_x1, g_x2 = slstm.SLSTMGrad()(c1, c2, x1, x2, c_next, gc, gh)
    g1, g2 = x1.reshape(2, 3, 4), x2.reshape(2, 3, 4)
    o = R.sigmoid(g1[:, :, 3] + g2[:, :, 3])
    t = numpy.tanh(c_next)
    u = gh * o * (1 - t * t) + gc
    numpy.testing.assert_allclose(g_c1.array, u * R.sigmoid(g1[:, :, 2]), atol=1e-12)
    numpy.testing.assert_allclose(g_c2.array, u * R.sigmoid(g2[:, :, 2]), atol=1e-12)
    go = gh * t * o * (1 - o)
    numpy.testing.assert_allclose(g_x1.array.reshape(2, 3, 4)[:, :, 3], go, atol=1e-12)
    inputs = (c1, c2, x1, x2, c_next, gc, gh)
    ggs = tuple(rng.uniform(-1, 1, v.shape) for v in (c1, c2, x1, x2))
    chainer.gradient_check.check_backward(slstm.SLSTMGrad(), inputs, ggs)
    chainer.gradient_check.check_double_backward(
        lambda *xs: slstm.SLSTMGrad().apply(xs), inputs, ggs,
        tuple(rng.uniform(-1, 1, v.shape) for v in inputs))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_slstm_gate_gradients_bits(dtype):
    """Chainer's grouping of the sigmoid derivatives: u a (i (1 - i)),
    u c_prev (f (1 - f)), gh tanh(c) (o (1 - o))."""
    import chainer
    rs = numpy.random.RandomState(6)
    c1, c2 = (rs.uniform(-1, 1, (3, 4)).astype(dtype) for _ in range(2))
    x1, x2 = (rs.uniform(-1, 1, (3, 16)).astype(dtype) for _ in range(2))
    gc, gh = (rs.uniform(-1, 1, (3, 4)).astype(dtype) for _ in range(2))
    v1, v2 = chainer.Variable(x1), chainer.Variable(x2)
    c, h = F.slstm(c1, c2, v1, v2)
    g1, g2 = chainer.grad([c, h], [v1, v2], grad_outputs=[gc, gh])
    half = dtype(0.5)

    def sig(v):
        return numpy.tanh(v * half) * half + half
    r1, r2 = x1.reshape(3, 4, 4), x2.reshape(3, 4, 4)
    a1, i1, f1 = numpy.tanh(r1[:, :, 0]), sig(r1[:, :, 1]), sig(r1[:, :, 2])
    a2, i2, f2 = numpy.tanh(r2[:, :, 0]), sig(r2[:, :, 1]), sig(r2[:, :, 2])
    o = sig(r1[:, :, 3] + r2[:, :, 3])
    cn = a1 * i1 + a2 * i2 + f1 * c1 + f2 * c2
    co = numpy.tanh(cn)
    u = gh * o * (1 - co * co) + gc
    go = gh * co * (o * (1 - o))
    for g, a, i, f, cp in ((g1, a1, i1, f1, c1), (g2, a2, i2, f2, c2)):
        expected = numpy.stack([u * i * (1 - a * a), u * a * (i * (1 - i)),
                                u * cp * (f * (1 - f)), go], axis=2).reshape(3, 16)
        numpy.testing.assert_array_equal(g.array, expected)
