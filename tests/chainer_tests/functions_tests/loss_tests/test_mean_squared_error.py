import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.loss.absolute_error import absolute_error
from chainer.functions.loss.mean_absolute_error import mean_absolute_error
from chainer.functions.loss.mean_squared_error import mean_squared_error
from chainer.functions.loss.squared_error import squared_error
from chainer.functions.loss.squared_error import squared_difference
from chainer.utils import type_check

from tests.chainer_tests._graph import graph_nodes
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances

_FUNCS = {
    'mean_squared_error': (mean_squared_error, lambda d: numpy.mean(d * d)),
    'squared_error': (squared_error, lambda d: d * d),
    'squared_difference': (squared_difference, lambda d: d * d),
    'absolute_error': (absolute_error, numpy.abs),
    'mean_absolute_error': (mean_absolute_error, lambda d: numpy.mean(numpy.abs(d))),
}


@testing.parameterize(*testing.product({
    'func': list(_FUNCS),
    'shape': [(3, 2), (2, 3, 4), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestPairwiseErrors(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x0 = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        # keep |x0 - x1| away from 0 where abs is not differentiable
        x1 = (x0 + numpy.random.choice([-1, 1], self.shape) *
              numpy.random.uniform(0.2, 0.5, self.shape)).astype(self.dtype)
        return x0, x1

    def forward(self, inputs, device):
        return _FUNCS[self.func][0](*inputs),

    def forward_expected(self, inputs):
        x0, x1 = inputs
        d = x0.astype(numpy.float64) - x1.astype(numpy.float64)
        return numpy.asarray(_FUNCS[self.func][1](d), self.dtype),


@pytest.mark.parametrize('func', list(_FUNCS))
def test_bad_inputs(func):
    f = _FUNCS[func][0]
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        f(a, numpy.zeros((3, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        f(a, numpy.zeros((2, 3), numpy.float64))
    with pytest.raises(type_check.InvalidType):
        f(a.astype(numpy.int32), a.astype(numpy.int32))


@pytest.mark.parametrize('func', ['squared_error', 'absolute_error'])
def test_zero_size(func):
    a = chainer.Variable(numpy.zeros((0, 3), numpy.float32))
    y = _FUNCS[func][0](a, numpy.zeros((0, 3), numpy.float32))
    assert y.shape == (0, 3)
    y.grad = numpy.zeros((0, 3), numpy.float32)
    y.backward()
    assert a.grad.shape == (0, 3)


def test_mean_squared_error_float16_no_overflow():
    # 300 ** 2 overflows float16 sums only if accumulated in float16
    x0 = numpy.full((4, 100), 30, numpy.float16)
    y = mean_squared_error(x0, numpy.zeros_like(x0))
    assert y.dtype == numpy.float16
    numpy.testing.assert_allclose(y.array, 900, rtol=1e-3)


def test_mean_squared_error_graph_keeps_only_its_inputs():
    # The graph holds the two retained inputs and nothing of their size besides
    # (the difference is computed again in backward), as in Chainer.
    x0 = chainer.Variable(numpy.random.uniform(-1, 1, (4, 5)).astype(numpy.float32))
    x1 = chainer.Variable(numpy.random.uniform(-1, 1, (4, 5)).astype(numpy.float32))
    y = mean_squared_error(x0, x1)
    node = y.creator_node
    assert [n.data is not None for n in node.inputs] == [True, True]
    assert not [v for v in vars(node).values() if isinstance(v, numpy.ndarray)]
    y.backward()
    expected = 2 * (x0.array - x1.array) / x0.size
    numpy.testing.assert_allclose(x0.grad, expected, rtol=1e-6)
    numpy.testing.assert_array_equal(x1.grad, -x0.grad)


def test_squared_difference_node_is_squared_error():
    # as in Chainer: hooks, creator and graph dumps name the node SquaredError
    x = chainer.Variable(numpy.ones((2, 3), numpy.float32))
    y = squared_difference(x, numpy.zeros((2, 3), numpy.float32))
    assert type(y.creator).__name__ == 'SquaredError'
    assert y.creator.label == 'SquaredError'


def test_gradients_bitwise_as_chainer():
    # Chainer's forms: gx0 = gy * diff * (2 / size) and, differentiated again with
    # h = ggx0 - ggx1, h * (2 / size) * gy for x0 and sum(h * (2 / size) * diff) for gy
    rng = numpy.random.RandomState(0)
    x0, x1, ggx0, ggx1 = (rng.uniform(-1, 1, (3, 4)).astype('f') for _ in range(4))
    gy = numpy.asarray(rng.uniform(-1, 1), 'f')
    v0, v1, gv = chainer.Variable(x0), chainer.Variable(x1), chainer.Variable(gy)
    g0, g1 = chainer.grad([mean_squared_error(v0, v1)], [v0, v1], [gv],
                          enable_double_backprop=True)
    c = numpy.float32(2. / 12)
    diff = x0 - x1
    assert g0.array.tobytes() == (gy * diff * c).tobytes()
    h0, hgy = chainer.grad([g0, g1], [v0, gv], [chainer.Variable(ggx0), chainer.Variable(ggx1)])
    h = ggx0 - ggx1
    assert h0.array.tobytes() == (h * c * gy).tobytes()
    assert hgy.array.tobytes() == (h * c * diff).sum().tobytes()


def test_second_order_forms_the_scaled_gradient_once():
    # The derivative of the gradient node forms (ggx0 - ggx1) * 2 / size once and the
    # gradient of x0 once (x1's is its negation), whichever inputs are differentiated.
    F = chainer.functions
    rng = numpy.random.RandomState(0)
    x0, x1 = chainer.Variable(rng.randn(3, 2)), chainer.Variable(rng.randn(3, 2))
    gy = chainer.Variable(numpy.array(0.7))
    gx0, gx1 = chainer.grad([F.mean_squared_error(x0, x1)], [x0, x1], grad_outputs=[gy],
                            enable_double_backprop=True)
    r0, r1 = rng.randn(3, 2), rng.randn(3, 2)
    gs = chainer.grad([F.sum(gx0 * r0) + F.sum(gx1 * r1)], [x0, x1, gy],
                      enable_double_backprop=True)
    hc = (r0 - r1) * (2.0 / 6)
    numpy.testing.assert_allclose(gs[0].array, hc * 0.7, rtol=1e-15)
    numpy.testing.assert_allclose(gs[1].array, -hc * 0.7, rtol=1e-15)
    numpy.testing.assert_allclose(gs[2].array, (hc * (x0.array - x1.array)).sum(), rtol=1e-14)
    kinds = [type(node).__name__ for node in graph_nodes(*gs)]
    assert kinds.count('MulConstant') == 1 and kinds.count('Mul') == 4


@pytest.mark.parametrize('layout', ['contiguous', 'strided'])
def test_float16_difference_goes_a_block_at_a_time_into_float32(layout):
    # The float16 difference is cast into the float32 array the dot product reads a
    # block at a time (no whole float16 difference beside it), with the same bits.
    rs = numpy.random.RandomState(0)
    x0 = rs.randn(64, 32, 16, 16).astype(numpy.float16)  # 1 MiB
    x1 = rs.randn(64, 32, 16, 16).astype(numpy.float16)
    if layout == 'strided':
        x0 = numpy.repeat(x0, 2, axis=3)[..., ::2]
    with chainer.no_backprop_mode():
        peak = peak_bytes(lambda: mean_squared_error(x0, x1))
        loss = mean_squared_error(x0, x1)
    if layout == 'contiguous':
        assert peak < 2.5 * x0.nbytes, peak
    diff = (x0 - x1).ravel().astype(numpy.float32)
    expected = numpy.float16(diff.dot(diff) / numpy.float32(diff.size))
    assert loss.array.tobytes() == expected.tobytes()
