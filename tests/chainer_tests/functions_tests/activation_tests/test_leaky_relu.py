import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'slope': [0.2, -0.3],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLeakyReLU(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.leaky_relu(inputs[0], slope=self.slope),

    def forward_expected(self, inputs):
        x, = inputs
        y = numpy.where(x >= 0, x, x * self.slope)
        return numpy.asarray(y, dtype=self.dtype),


def test_default_slope():
    y = F.leaky_relu(numpy.array([-1.0, 2.0], numpy.float32))
    numpy.testing.assert_allclose(y.array, [-0.2, 2.0])
    assert y.dtype == numpy.float32


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.leaky_relu(numpy.zeros(2, numpy.int32))


@pytest.mark.parametrize('slope', [0.2, 1.0, -0.5, 1.5, 0.0])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_exactly_the_select(slope, dtype):
    """The select-free arithmetic gives bit for bit what ``where`` gives, on mixed
    signs, zeros and non-finite values, and for 0-d inputs."""
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(5000).astype(dtype)
    x[:6] = [0.0, -0.0, numpy.inf, -numpy.inf, numpy.nan, -1e-30]
    gy = rng.standard_normal(x.shape).astype(dtype)
    s = dtype(slope)
    with numpy.errstate(invalid='ignore', over='ignore'):
        expected_y = numpy.where(x < 0, x * s, x)
        expected_gx = numpy.where(x <= 0, gy * s, gy)  # x == 0 takes the slope, as in Chainer
    if slope == 0:
        expected_y[3] = 0  # max(-inf, 0), where 0 * -inf would be NaN
    xv = chainer.Variable(x)
    y = F.leaky_relu(xv, slope)
    y.grad = gy
    y.backward()
    numpy.testing.assert_array_equal(y.array, expected_y)
    numpy.testing.assert_array_equal(xv.grad, expected_gx)
    assert y.dtype == dtype and xv.grad.dtype == dtype
    x0 = chainer.Variable(numpy.asarray(-2, dtype))
    y0 = F.leaky_relu(x0, slope)
    y0.backward()
    assert isinstance(y0.array, numpy.ndarray) and y0.shape == ()
    assert y0.array == dtype(-2) * s and x0.grad == s


def test_zero_slope_is_relu():
    """Slope 0 gives ReLU's gradient: 0 for x < 0 (Chainer passed gy through
    there, reading the side of x from y = -0.0)."""
    x = chainer.Variable(numpy.array([-2.0, -0.5, 0.5, 3.0], numpy.float32))
    y = F.leaky_relu(x, 0.0)
    F.sum(y * y).backward()
    numpy.testing.assert_array_equal(y.array, [0, 0, 0.5, 3])
    numpy.testing.assert_array_equal(x.grad, [0, 0, 1, 6])


@pytest.mark.parametrize('slope', [0.2, 0.0, 2.0, -0.5])
def test_zero_input_takes_the_slope(slope):
    # as in Chainer: x == 0 (either sign) is on the negative side; NaN passes gy
    x = chainer.Variable(numpy.array([0.0, -0.0, 1.0, -1.0, numpy.nan], numpy.float32))
    F.sum(F.leaky_relu(x, slope)).backward()
    s = numpy.float32(slope)
    numpy.testing.assert_array_equal(x.grad, [s, s, 1, s, 1])


@pytest.mark.parametrize('slope', [0.2, 0.333, 1.7, -0.3])
def test_float16_values_are_float16_arithmetic(slope):
    # float16 is computed in float32 for speed; every value is still the one
    # NumPy's float16 operations give
    x = numpy.arange(65536, dtype=numpy.uint16).view(numpy.float16)
    x = x[numpy.isfinite(x)]
    v = chainer.Variable(x)
    y = F.leaky_relu(v, slope)
    gy = numpy.random.RandomState(0).randn(x.size).astype(numpy.float16)
    y.grad = gy
    y.backward()
    s = numpy.float16(slope)
    with numpy.errstate(all='ignore'):
        numpy.testing.assert_array_equal(y.array, numpy.where(x >= 0, x, x * s))
        numpy.testing.assert_array_equal(v.grad, numpy.where(x <= 0, gy * s, gy))
    assert y.dtype == v.grad.dtype == numpy.float16


def test_float16_with_a_slope_past_float16_range_keeps_the_positive_side():
    # Chainer's slope was a Python float, taken in float32 where it overflows float16
    # (NumPy 1's value-based casting): x >= 0 is untouched, 0 stays 0.
    x = chainer.Variable(numpy.array([0., 1., -2.5, 60000.], numpy.float16))
    for slope, grad in ((1e5, [numpy.inf, 1., numpy.inf, 1.]),
                        (numpy.inf, [1., 1., numpy.inf, 1.])):
        y = F.leaky_relu(x, slope)
        gx, = chainer.grad([y], [x], [chainer.Variable(numpy.ones(4, numpy.float16))])
        assert y.dtype == gx.dtype == numpy.float16
        numpy.testing.assert_array_equal(y.array[1:], [1., -numpy.inf, 60000.])
        numpy.testing.assert_array_equal(gx.array, grad)
    numpy.testing.assert_array_equal(F.leaky_relu(x, 1e5).array[0], 0.)


@pytest.mark.parametrize('slope', [None, 'a', (1, 2, 3)])
def test_slope_that_is_no_number(slope):
    # Chainer 7.8.1 raised TypeError (its multiply, or a comparison); ours int()'s or
    # float()'s ValueError for some
    with pytest.raises(TypeError, match='slope must be a real number'):
        F.leaky_relu(numpy.ones((2, 3), numpy.float32), slope=slope)


def test_float16_peak_memory_is_about_the_result():
    # float16 is computed in float32 block by block (not as whole float32 copies,
    # five times the result): forward and backward each hold little beyond their result.
    x = numpy.random.RandomState(0).randn(16, 32, 32, 32).astype(numpy.float16)  # 1 MiB
    gy = numpy.ones_like(x)
    v = chainer.Variable(x)
    with chainer.no_backprop_mode():
        assert peak_bytes(lambda: F.leaky_relu(x)) < 1.6 * x.nbytes
    y = F.leaky_relu(v)
    y.grad = gy
    assert peak_bytes(y.backward) < 2.2 * x.nbytes
    assert v.grad.dtype == numpy.float16
