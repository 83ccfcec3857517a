import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests import _spread
from tests.chainer_tests._memory import traced_peak

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _prelu(x, W):
    w = W.reshape((1,) + W.shape + (1,) * (x.ndim - 1 - W.ndim))
    return numpy.where(x >= 0, x, x * w)


@testing.parameterize(*(
    testing.product({
        'shapes': [((4, 3), (3,)), ((2, 3, 4), (3,)), ((2, 3, 4), (3, 4)), ((2, 3), ()),
                   ((0, 3), (3,))],
        'dtype': [numpy.float32],
    }) + testing.product({
        'shapes': [((2, 3, 2), (3,))],
        'dtype': [numpy.float16, numpy.float64],
    })))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestPReLU(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x_shape, w_shape = self.shapes
        x = numpy.random.uniform(-1, 1, x_shape).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        W = numpy.random.uniform(-1, 1, w_shape).astype(self.dtype)
        return x, W

    def forward(self, inputs, device):
        x, W = inputs
        return F.prelu(x, W),

    def forward_expected(self, inputs):
        x, W = inputs
        return _prelu(x, W).astype(self.dtype),


@pytest.mark.parametrize('x_shape,w_shape', [
    ((2, 3), (4,)),       # W does not match axis 1
    ((2, 3), (3, 1)),     # W has too many dimensions
    ((3,), (3,)),         # x needs a batch axis in front of W
])
def test_shape_mismatch(x_shape, w_shape):
    with pytest.raises(type_check.InvalidType):
        F.prelu(numpy.zeros(x_shape, numpy.float32), numpy.zeros(w_shape, numpy.float32))


def test_dtype_mismatch():
    with pytest.raises(type_check.InvalidType):
        F.prelu(numpy.zeros((2, 3), numpy.float32), numpy.zeros((3,), numpy.float64))


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.prelu(numpy.zeros((2, 3), numpy.int32), numpy.zeros((3,), numpy.int32))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_forward_exactly_the_select(dtype):
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((50, 3, 40)).astype(dtype)
    x[0, 0, :5] = [0.0, -0.0, numpy.inf, -numpy.inf, numpy.nan]
    W = numpy.array([0.25, -0.5, 2.0], dtype)
    expected = numpy.where(x >= 0, x, x * W[:, None])
    numpy.testing.assert_array_equal(F.prelu(x, W).array, expected)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_infinite_upstream_gradient_is_not_masked_into_nan(dtype):
    # x >= 0 passes gy (0 included), x < 0 scales it by W; gW sums gy * x over x < 0 only.
    import chainer
    x = chainer.Variable(numpy.array([[0.0, -0.0, -1.0, 2.0]], dtype))
    W = chainer.Variable(numpy.array([0.25, 0.0, -1.0, 1.0], dtype))
    y = F.prelu(x, W)
    gy = numpy.array([[numpy.inf, -numpy.inf, 2.0, numpy.inf]], dtype)
    gx, gW = chainer.grad([y], [x, W], [gy])
    numpy.testing.assert_array_equal(
        gx.array, numpy.array([[numpy.inf, -numpy.inf, -2.0, numpy.inf]], dtype))
    numpy.testing.assert_array_equal(gW.array, numpy.array([0.0, 0.0, -2.0, 0.0], dtype))


def test_nan_input_takes_the_slope():
    # Chainer's gradients used the slope wherever not x >= 0: NaN included, so a NaN
    # input shows in the gradient of W.
    x = chainer.Variable(numpy.array([[numpy.nan, 1.0, -1.0]], numpy.float32))
    W = chainer.Variable(numpy.array([0.25, 0.5, 0.75], numpy.float32))
    gx, gW = chainer.grad([F.prelu(x, W)], [x, W],
                          [chainer.Variable(numpy.full((1, 3), 2.0, numpy.float32))])
    numpy.testing.assert_array_equal(gx.array, [[0.5, 2.0, 1.5]])
    numpy.testing.assert_array_equal(gW.array, [numpy.nan, 0.0, -2.0])


def test_large_input_per_channel_slope_spread_over_a_sample(monkeypatch):
    # the slope spread over a sample in the product and in the selects of the
    # gradient (NumPy's broadcast over short runs is slow): the same bits
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    x[0, 0, 0, :3] = [0.0, -0.0, numpy.nan]
    W = rng.uniform(-1, 1, (30,)).astype(numpy.float32)
    spread, fast, plain = _spread.spread_and_plain(monkeypatch, F.prelu, (x, W))
    assert spread >= 2
    for got, expected in zip(fast, plain):
        numpy.testing.assert_array_equal(got, expected)
    numpy.testing.assert_array_equal(fast[0], _prelu(x, W))


def test_large_input_double_backward():
    # the spread slope and the einsum sums in the graph of the gradient too
    from chainer import gradient_check
    rng = numpy.random.RandomState(1)
    x = rng.uniform(-1, 1, (8, 30, 8, 9))
    x[numpy.abs(x) < 0.05] = 0.5
    W = rng.uniform(-1, 1, (30,))
    gy = rng.uniform(-1, 1, x.shape)
    ggx, ggW = rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, W.shape)
    gradient_check.check_backward(F.prelu, (x, W), gy, atol=1e-6, rtol=1e-6)
    gradient_check.check_double_backward(F.prelu, (x, W), gy, (ggx, ggW),
                                         atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('slope', [numpy.nan, numpy.inf, -numpy.inf])
@pytest.mark.parametrize('shape', [(2, 3, 4), (8, 3, 30, 30)])
def test_non_finite_slope_leaves_x_at_least_zero_alone(dtype, slope, shape):
    # Chainer multiplied only where x < 0: a slope that became NaN or infinite
    # (a diverged update) leaves x >= 0 as it is, zeros included (no 0 * inf).
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-1, 1, shape).astype(dtype)
    x.reshape(shape[0], 3, -1)[0, 1, :4] = [0.0, -0.0, 1.0, -1.0]
    W = numpy.array([0.25, slope, 0.5], dtype)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        y = F.prelu(x, W).array
    with numpy.errstate(invalid='ignore'):
        expected = _prelu(x, W)
    numpy.testing.assert_array_equal(y, expected)
    assert numpy.isfinite(y[:, 0]).all() and not numpy.isnan(y[:, 1][x[:, 1] >= 0]).any()



def test_huge_finite_float16_slope_warns_of_nothing():
    # The check for a non-finite slope must not overflow on a finite one (as a
    # float16 dot product of the slopes would, with a warning of its own).
    x = numpy.array([[-1.0, 2.0, 0.0, -3.0]] * 8, numpy.float16)
    W = numpy.full(4, 1e4, numpy.float16)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        y = F.prelu(x, W).array
    numpy.testing.assert_array_equal(y, _prelu(x, W))

@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gpu_is_the_select_with_a_non_finite_slope(dtype):
    import cupy
    x = numpy.array([[0.0, -0.0, 2.0, -2.0, numpy.inf, -numpy.inf, numpy.nan]] * 3, dtype).T
    W = numpy.array([0.25, numpy.nan, numpy.inf], dtype)
    with numpy.errstate(invalid='ignore'):
        expected = _prelu(x, W)
    numpy.testing.assert_array_equal(cupy.asnumpy(F.prelu(cupy.asarray(x), cupy.asarray(W)).array),
                                     expected)


def test_backward_builds_the_w_gradient_before_gx():
    # the reduced W gradient's temporaries are freed before gx is built: at most
    # two arrays the size of x besides gx at any time
    rs = numpy.random.RandomState(0)
    x = chainer.Variable(rs.randn(64, 16, 16, 16).astype(numpy.float32))  # 1 MiB
    W = chainer.Variable(rs.rand(16).astype(numpy.float32))
    y = F.prelu(x, W)
    gy = rs.randn(*x.shape).astype(numpy.float32)
    y.grad = gy
    with traced_peak() as traced:
        y.backward()
    peak = traced.bytes
    assert peak < 2.5 * x.array.nbytes, peak
    neg = x.array < 0
    numpy.testing.assert_array_equal(x.grad, numpy.where(neg, gy * W.array[:, None, None], gy))
    assert W.grad.shape == (16,)
