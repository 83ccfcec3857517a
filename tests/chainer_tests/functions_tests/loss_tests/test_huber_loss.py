import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.loss.huber_loss import huber_loss
from chainer.utils import type_check

from tests.chainer_tests._graph import graph_nodes
from tests.chainer_tests._memory import traced_peak
from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@testing.parameterize(*testing.product({
    'shape': [(4, 3), (2, 3, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['sum_along_second_axis', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestHuberLoss(testing.FunctionTestCase):

    delta = 1.0

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(-2, 2, self.shape)
        t = numpy.random.uniform(-2, 2, self.shape)
        d = numpy.abs(x - t)
        # dodge the kink at |x - t| == delta and the one at 0
        x = numpy.where(numpy.abs(d - self.delta) < 0.1, x + 0.3, x)
        x = numpy.where(numpy.abs(x - t) < 0.05, x + 0.2, x)
        return x.astype(self.dtype), t.astype(self.dtype)

    def forward(self, inputs, device):
        return huber_loss(*inputs, delta=self.delta, reduce=self.reduce),

    def forward_expected(self, inputs):
        x, t = [a.astype(numpy.float64) for a in inputs]
        d = numpy.abs(x - t)
        y = numpy.where(d <= self.delta, 0.5 * d ** 2, self.delta * (d - 0.5 * self.delta))
        if self.reduce == 'sum_along_second_axis':
            y = y.sum(axis=1)
        return y.astype(self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(ValueError, match="Only 'sum_along_second_axis' and 'no'"):
        huber_loss(x, x, 1.0, reduce='mean')
    with pytest.raises(type_check.InvalidType):
        huber_loss(x, x.astype(numpy.float64), 1.0)
    with pytest.raises(type_check.InvalidType):
        huber_loss(x, x[:1], 1.0)
    with pytest.raises(type_check.InvalidType):
        huber_loss(x[0], x[0], 1.0)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('delta', [1.0, 0.3])
def test_select_free_formulas_are_the_textbook_ones_bit_for_bit(dtype, delta):
    """Loss (Chainer's rounding) and gradient (the two-zone formula) are exact on both
    zones, their border, and non-finite differences."""
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-3, 3, (40, 50)).astype(dtype)
    t = rng.uniform(-3, 3, (40, 50)).astype(dtype)
    x[0, :4] = [t[0, 0] + dtype(delta), t[0, 1] - dtype(delta), numpy.inf, numpy.nan]
    d = x - t
    dl, half = dtype(delta), dtype(0.5)
    with numpy.errstate(invalid='ignore'):
        inside = numpy.abs(d) <= dl
        # Chainer's rounding: min(d**2, max(2 delta |d| - delta**2, delta**2)) / 2
        ad = numpy.abs(d)
        expected = numpy.minimum(ad * ad, numpy.maximum(ad * (2 * dl) - dl * dl, dl * dl)) * half
        expected_g = numpy.where(inside, d, numpy.sign(d) * dl)
    xv = chainer.Variable(x)
    loss = huber_loss(xv, t, delta, reduce='no')
    numpy.testing.assert_array_equal(loss.array, expected)
    loss.grad = numpy.ones_like(x)
    with numpy.errstate(invalid='ignore'):
        loss.backward()
    numpy.testing.assert_array_equal(xv.grad, expected_g)


@pytest.mark.parametrize('reduce', ['sum_along_second_axis', 'no'])
def test_nodes_keep_no_mask(reduce):
    # The quadratic zone is found again from the retained inputs when the
    # gradient is differentiated, not kept as an array of x's shape on the nodes.
    rng = numpy.random.RandomState(0)
    x = chainer.Variable(rng.uniform(-2, 2, (3, 4)))
    t = rng.uniform(-2, 2, (3, 4))
    y = huber_loss(x, t, 1.0, reduce=reduce)
    y.grad = numpy.ones_like(y.array)
    y.backward(enable_double_backprop=True)
    gx = x.grad_var
    for node in (y.creator_node, gx.creator_node):
        assert not [v for v in vars(node).values() if isinstance(v, numpy.ndarray)]
    x.cleargrad()
    chainer.functions.sum(gx * gx).backward()
    d = x.array - t
    inside = numpy.abs(d) <= 1.0
    numpy.testing.assert_allclose(x.grad, numpy.where(inside, 2 * d, 0.0), rtol=1e-12)


def test_sum_along_second_axis_of_1d_is_also_numpys_axis_error():
    x = numpy.ones(3, numpy.float32)
    with pytest.raises(type_check.InvalidType):
        huber_loss(x, x, 1.0)
    with pytest.raises(numpy.exceptions.AxisError):
        huber_loss(x, x, 1.0)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gradient_of_gradient_by_gy_where_the_difference_is_infinite(dtype):
    # d(gx)/d(gy) is clip(x - t, -delta, delta): delta * sign(x - t) for an infinite
    # difference, not 0 * inf.
    x = numpy.array([[numpy.inf, -numpy.inf, 0.5, 3.0]], dtype)
    t = numpy.zeros_like(x)
    gy = chainer.Variable(numpy.ones(4, dtype).reshape(1, 4))
    xv = chainer.Variable(x)
    loss = huber_loss(xv, t, 2.0, reduce='no')
    gx, = chainer.grad([loss], [xv], [gy], enable_double_backprop=True)
    ggy, = chainer.grad([gx], [gy], [numpy.ones_like(x)])
    numpy.testing.assert_array_equal(ggy.array, numpy.array([[2, -2, 0.5, 2]], dtype))


def test_unknown_reduce_message_is_chainers():
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(ValueError, match="^Only 'sum_along_second_axis' and 'no' are valid for "
                                         "'reduce', but 'x' is given$"):
        chainer.functions.huber_loss(x, x, 1.0, reduce='x')


def test_second_order_forms_the_gradient_of_x_once():
    # The derivative of the gradient node forms x's part once; t's is its negation.
    F = chainer.functions
    rng = numpy.random.RandomState(0)
    x, t = chainer.Variable(rng.randn(3, 2)), chainer.Variable(rng.randn(3, 2))
    gy = chainer.Variable(rng.randn(3))
    gx, gt = chainer.grad([F.huber_loss(x, t, 0.5)], [x, t], grad_outputs=[gy],
                          enable_double_backprop=True)
    r0, r1 = rng.randn(3, 2), rng.randn(3, 2)
    gs = chainer.grad([F.sum(gx * r0) + F.sum(gt * r1)], [x, t, gy],
                      enable_double_backprop=True)
    inside = numpy.abs(x.array - t.array) <= 0.5
    expected = gy.array[:, None] * (r0 - r1) * inside
    numpy.testing.assert_allclose(gs[0].array, expected, rtol=1e-15)
    numpy.testing.assert_allclose(gs[1].array, -expected, rtol=1e-15)
    kinds = [type(node).__name__ for node in graph_nodes(*gs)]
    assert kinds.count('Neg') == 1 and kinds.count('Mul') == 5


def test_forward_holds_two_arrays_the_size_of_x():
    # the loss is built in |x - t| block by block, beside min(|x - t|, delta) only
    rs = numpy.random.RandomState(0)
    x = rs.randn(512, 1024).astype(numpy.float32)  # 2 MiB, in blocks
    t = rs.randn(512, 1024).astype(numpy.float32)
    with traced_peak() as traced:
        with chainer.no_backprop_mode():
            y = huber_loss(x, t, 1.0, reduce='no')
    peak = traced.bytes
    assert peak < 2.3 * x.nbytes, peak
    d = numpy.abs(x - t)
    numpy.testing.assert_array_equal(
        y.array, numpy.where(d <= 1, d * d * numpy.float32(0.5), d - numpy.float32(0.5)))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_huber_loss_forward_bits(dtype):
    # Chainer's rounding: min(d**2, max(2 delta |d| - delta**2, delta**2)) * 0.5
    rs = numpy.random.RandomState(5)
    x = rs.uniform(-2, 2, (7, 5)).astype(dtype)
    t = rs.uniform(-2, 2, (7, 5)).astype(dtype)
    delta = dtype(0.7)
    d = numpy.abs(x - t)
    lin = numpy.maximum(d * (2 * delta) - delta * delta, delta * delta)
    expected = numpy.minimum(numpy.square(d), lin) * dtype(0.5)
    y = huber_loss(x, t, 0.7, reduce="no")
    numpy.testing.assert_array_equal(y.array, expected)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_huber_loss_sums_long_rows_in_numpy1_order(dtype):
    x = long_values((3, 10000), dtype, spread=1.0)
    t = long_values((3, 10000), dtype, 1, spread=1.0)
    loss = huber_loss(x, t, 1.0, reduce='no').array
    numpy.testing.assert_array_equal(huber_loss(x, t, 1.0).array, numpy1_sum(loss, -1))
