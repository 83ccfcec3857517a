import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.loss.sigmoid_cross_entropy import sigmoid_cross_entropy
from chainer.utils import type_check

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@testing.parameterize(*testing.product({
    'shape': [(4, 3), (5,), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
    'normalize': [True, False],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSigmoidCrossEntropy(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        self.t = numpy.random.randint(-1, 2, self.shape).astype(numpy.int32)

    def generate_inputs(self):
        return numpy.random.uniform(-3, 3, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return sigmoid_cross_entropy(inputs[0], device.send(self.t), self.normalize,
                                     self.reduce),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        p = 1 / (1 + numpy.exp(-x))
        t = self.t
        loss = -(t * numpy.log(p) + (1 - t) * numpy.log(1 - p)) * (t != -1)
        if self.reduce == 'mean':
            count = (max(1, (t != -1).sum()) if self.normalize
                     else max(1, x.shape[0] if x.ndim else 1))
            loss = loss.sum() / count
        return numpy.asarray(loss, self.dtype),


def test_extreme_values_are_finite():
    x = chainer.Variable(numpy.array([-1000., 1000.], numpy.float32))
    y = sigmoid_cross_entropy(x, numpy.array([1, 0], numpy.int32), reduce='no')
    numpy.testing.assert_allclose(y.array, [1000., 1000.])
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    numpy.testing.assert_allclose(x.grad, [-1., 1.])


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        sigmoid_cross_entropy(x, numpy.zeros((2, 3), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        sigmoid_cross_entropy(x, numpy.zeros((3, 2), numpy.int32))
    with pytest.raises(ValueError, match="only 'mean' and 'no'"):
        sigmoid_cross_entropy(x, numpy.zeros((2, 3), numpy.int32), reduce='sum')


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(40, 70), ()])
def test_elementwise_loss_and_gradient_bit_for_bit(dtype, shape):
    """The loss ``log1p(exp(-|x|)) - x (t - [x >= 0])`` (0 for ignored labels) and
    the gradient ``sigmoid(x) - t``, exactly, with large scores and ignored labels,
    in Chainer's CPU arithmetic (inputs of up to ``EXACT_FORM_MAX`` elements): the
    first term and the sigmoid in x's dtype, the rest in float64 (x times int32
    labels), rounded once at the end."""
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-50, 50, shape).astype(dtype)
    t = rng.integers(-1, 2, shape).astype(numpy.int32)
    valid = t != -1
    with numpy.errstate(over='ignore'):
        expected = (-(valid * (x * (t - (x >= 0)) - numpy.log1p(numpy.exp(-numpy.abs(x))))))
    assert expected.dtype == numpy.float64
    xv = chainer.Variable(x)
    loss = sigmoid_cross_entropy(xv, t, reduce='no')
    numpy.testing.assert_array_equal(loss.array, expected.astype(dtype))
    loss.grad = numpy.ones(shape, dtype)
    loss.backward()
    half = x.dtype.type(0.5)
    sig = numpy.tanh(x * half) * half + half
    numpy.testing.assert_array_equal(
        xv.grad, (numpy.ones(shape, dtype) * valid * (sig - t)).astype(dtype))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('normalize', [True, False])
def test_mean_and_its_gradient_bits(dtype, normalize):
    """Chainer's CPU mean: the float64 losses summed and divided by the count, and
    the gradient ``(gy * used) * (sigmoid(x) - t) / count`` in float64, each
    rounded once to x's dtype."""
    rs = numpy.random.RandomState(1)
    x = rs.uniform(-4, 4, (7, 5)).astype(dtype)
    t = rs.randint(-1, 2, (7, 5)).astype(numpy.int32)
    valid = t != -1
    xv = chainer.Variable(x)
    loss = sigmoid_cross_entropy(xv, t, normalize=normalize)
    count = int(valid.sum()) if normalize else 7
    each = -(valid * (x * (t - (x >= 0)) - numpy.log1p(numpy.exp(-numpy.abs(x)))))
    numpy.testing.assert_array_equal(loss.array, (each.sum() / count).astype(dtype))
    gy = dtype(0.75)
    loss.grad = numpy.array(gy)
    loss.backward()
    half = x.dtype.type(0.5)
    sig = numpy.tanh(x * half) * half + half
    numpy.testing.assert_array_equal(
        xv.grad, (numpy.array(gy) * valid * (sig - t) / count).astype(dtype))


def test_float16_mean_of_large_losses_does_not_overflow():
    # 65504 + 40 overflows float16; the loss is computed in float32 and cast at the end.
    import chainer.functions as F
    x = numpy.array([65504.0, -40.0, 0.0], numpy.float16)
    loss = F.sigmoid_cross_entropy(x, numpy.array([0, 1, -1], numpy.int32))
    assert loss.dtype == numpy.float16
    assert loss.array == numpy.float16(32772)


def test_float16_mean_gradient_of_many_labels():
    """1 / count is subnormal in float16 from 16384 used labels on (here 2.4% off):
    the gradient and its derivative are computed with it in float32, as Chainer did
    (in float64), and rounded once; a loss-scaled gy keeps them in float16's range."""
    import chainer.functions as F
    rng = numpy.random.default_rng(0)
    shape = (8, 102400)
    x = rng.uniform(-4, 4, shape).astype(numpy.float16)
    t = rng.integers(0, 2, shape).astype(numpy.int32)
    xv = chainer.Variable(x)
    loss = F.sigmoid_cross_entropy(xv, t)
    gy = numpy.array(1024, numpy.float16)
    gx, = chainer.grad([loss], [xv], [chainer.Variable(gy)], enable_double_backprop=True)
    x64 = x.astype(numpy.float64)
    s = 1 / (1 + numpy.exp(-x64))
    expected = (s - t) * 1024 / x.size
    assert gx.dtype == numpy.float16
    numpy.testing.assert_allclose(gx.array, expected, rtol=2e-3, atol=1e-5)
    ggx = rng.uniform(-1, 1, shape).astype(numpy.float16)
    gxx, = chainer.grad([gx], [xv], [chainer.Variable(ggx)])
    assert gxx.dtype == numpy.float16
    numpy.testing.assert_allclose(gxx.array, ggx * s * (1 - s) * 1024 / x.size,
                                  rtol=2e-3, atol=1e-5)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_sigmoid_cross_entropy_mean_of_many_labels_in_numpy1_order(dtype):
    x = long_values((100, 100), dtype, spread=1.0)
    t = (numpy.random.default_rng(3).random((100, 100)) > 0.5).astype(numpy.int32)
    loss = sigmoid_cross_entropy(x, t, reduce='no').array
    numpy.testing.assert_array_equal(sigmoid_cross_entropy(x, t).array,
                                     numpy1_sum(loss) / dtype(10000))
    numpy.testing.assert_array_equal(sigmoid_cross_entropy(x, t, normalize=False).array,
                                     numpy1_sum(loss) / dtype(100))
