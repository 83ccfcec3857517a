import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.loss.hinge import hinge
from chainer.utils import type_check

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'norm': ['L1', 'L2'],
    'reduce': ['mean', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestHinge(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        self.t = numpy.random.randint(0, 3, 5).astype(numpy.int32)

    def generate_inputs(self):
        x = numpy.random.uniform(-2, 2, (5, 3))
        # dodge the kink at 1 + sign * x == 0
        x[numpy.abs(numpy.abs(x) - 1) < 0.1] = 0.5
        return x.astype(self.dtype),

    def forward(self, inputs, device):
        return hinge(inputs[0], device.send(self.t), self.norm, self.reduce),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64).copy()
        x[numpy.arange(len(self.t)), self.t] *= -1
        y = numpy.maximum(0, 1 + x)
        if self.norm == 'L2':
            y = y ** 2
        if self.reduce == 'mean':
            y = y.sum() / len(x)
        return numpy.asarray(y, self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    t = numpy.array([0, 1], numpy.int32)
    with pytest.raises(NotImplementedError):
        hinge(x, t, norm='L3')
    with pytest.raises(ValueError, match="only 'mean' and 'no'"):
        hinge(x, t, reduce='sum')
    with pytest.raises(type_check.InvalidType):
        hinge(x, t.astype(numpy.float32))
    with pytest.raises(type_check.InvalidType):
        hinge(x[0], t)
    with pytest.raises(ValueError):
        hinge(x, numpy.array([0, 3], numpy.int32))
    with pytest.raises(ValueError):
        hinge(x, numpy.array([0, -1], numpy.int32))


@pytest.mark.parametrize('norm', ['L1', 'L2'])
def test_nodes_keep_no_array_of_x_shape(norm):
    # sign and mask are computed from x and the labels when needed; the nodes
    # hold the retained x and t only.
    rng = numpy.random.RandomState(0)
    x = chainer.Variable(rng.uniform(-2, 2, (4, 5)))
    t = rng.randint(0, 5, 4).astype(numpy.int32)
    y = hinge(x, t, norm, 'no')
    gy = rng.uniform(-1, 1, (4, 5))
    y.grad = gy
    y.backward(enable_double_backprop=True)
    gx = x.grad_var
    assert [n.data is not None for n in y.creator_node.inputs] == [True, True]
    for node in (y.creator_node, gx.creator_node):
        assert not [v for v in vars(node).values()
                    if isinstance(v, numpy.ndarray) and v.shape == x.shape]
    sign = numpy.ones((4, 5))
    sign[numpy.arange(4), t] = -1
    margin = 1 + sign * x.array
    expected = sign * (margin > 0) * (1 if norm == 'L1' else 2 * margin) * gy
    numpy.testing.assert_allclose(gx.array, expected, rtol=1e-12)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_squared_hinge_gradient_of_an_infinitely_low_wrong_score_is_zero(dtype):
    # 2 sign max(1 + sign x, 0) is 0 there, not inf * 0.
    x = chainer.Variable(numpy.array([[-numpy.inf, 0.0]], dtype))
    loss = hinge(x, numpy.array([1], numpy.int32), norm='L2')
    loss.backward()
    numpy.testing.assert_array_equal(x.grad, numpy.array([[0, -2]], dtype))


@pytest.mark.parametrize('norm', ['L1', 'L2'])
def test_nan_score_gives_nan_gradient(norm):
    # As in Chainer; infinite scores keep finite gradients.
    x = chainer.Variable(numpy.array([[numpy.nan, 0.5, -2.0], [numpy.inf, -numpy.inf, 0.0]],
                                     numpy.float32))
    y = hinge(x, numpy.array([1, 0], numpy.int32), norm=norm, reduce='no')
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.ones((2, 3), numpy.float32))])
    c = 1 if norm == 'L1' else 2
    numpy.testing.assert_array_equal(gx.array, [[numpy.nan, -1, 0], [0, 0, c]])


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('norm', ['L1', 'L2'])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_loss_and_gradient_bit_for_bit_as_the_sign_formula(dtype, norm, reduce):
    # The margin is built as x + 1 with 1 - x at the true class (no sign array); the
    # bits are those of the formulas with sign = -1 at the true class, +1 elsewhere:
    # zeros (signed), infinities and NaN included.
    rng = numpy.random.RandomState(1)
    x = rng.uniform(-2, 2, (6, 5)).astype(dtype)
    x[0, :5] = [numpy.nan, numpy.inf, -numpy.inf, 0.0, -0.0]
    x[1, :4] = [1, -1, -0.0, 3]
    t = numpy.array([0, 1, 2, 3, 4, 2], numpy.int32)
    sign = numpy.ones(x.shape, dtype)
    sign[numpy.arange(6), t] = -1
    margin = numpy.maximum(x * sign + 1, 0)
    loss = margin if norm == 'L1' else margin * margin
    scale = dtype(1 / 6) if reduce == 'mean' else dtype(1)
    gy = numpy.array(0.75, dtype) if reduce == 'mean' else rng.uniform(-1, 1, x.shape).astype(dtype)
    if reduce == 'mean':
        loss = loss.sum() / dtype(6)
    unscaled = sign * numpy.sign(margin) if norm == 'L1' else margin * (2 * sign)
    with numpy.errstate(invalid='ignore'):
        expected_gx = unscaled * (gy * scale)
    xv = chainer.Variable(x)
    y = hinge(xv, t, norm, reduce)
    gx, = chainer.grad([y], [xv], [chainer.Variable(gy)])
    for actual, expected in ((y.array, loss), (gx.array, expected_gx)):
        assert actual.dtype == dtype
        assert actual.tobytes() == numpy.asarray(expected, dtype).tobytes()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('norm', ['L1', 'L2'])
def test_hinge_mean_gradient_divides_gy_bits(dtype, norm):
    # Chainer's: gy / N, then times the sign (L1) or 2 gy / N times the margin (L2)
    rs = numpy.random.RandomState(0)
    x = rs.uniform(-2, 2, (7, 5)).astype(dtype)
    t = rs.randint(0, 5, 7).astype(numpy.int32)
    xv = chainer.Variable(x)
    loss = hinge(xv, t, norm)
    gy = dtype(0.3)  # gy * (1 / 7) rounds otherwise
    loss.grad = numpy.array(gy)
    loss.backward()
    margin = x.copy()
    margin[numpy.arange(7), t] *= -1
    margin = numpy.maximum(0, 1 + margin)
    margin[numpy.arange(7), t] *= -1
    g = gy / dtype(7)
    expected = g * numpy.sign(margin) if norm == 'L1' else 2 * g * margin
    numpy.testing.assert_array_equal(xv.grad, expected)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_hinge_mean_over_a_long_batch_in_numpy1_order(dtype):
    x = long_values((4, 10000), dtype)
    t = numpy.array([5, 9999, 0, 7], numpy.int32)
    for norm in ('L1', 'L2'):
        loss = hinge(x, t, norm, reduce='no').array
        numpy.testing.assert_array_equal(hinge(x, t, norm).array, numpy1_sum(loss) / dtype(4))
