import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _elu(x, alpha):
    x64 = x.astype(numpy.float64)
    return numpy.where(x64 > 0, x64, alpha * numpy.expm1(numpy.minimum(x64, 0)))


@testing.parameterize(*testing.product({
    'shape': [(3, 2), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'alpha': [1.0, -0.5],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestELU(testing.FunctionTestCase):

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
        return F.elu(inputs[0], alpha=self.alpha),

    def forward_expected(self, inputs):
        return numpy.asarray(_elu(inputs[0], self.alpha), dtype=self.dtype),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSELU(testing.FunctionTestCase):

    alpha = 1.6732632423543772
    scale = 1.0507009873554805

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, (2, 3)).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.selu(inputs[0]),

    def forward_expected(self, inputs):
        y = self.scale * _elu(inputs[0], self.alpha)
        return numpy.asarray(y, dtype=self.dtype),


def test_selu_arguments():
    x = numpy.array([-1.0, 2.0], numpy.float32)
    y = F.selu(x, alpha=2.0, scale=3.0)
    numpy.testing.assert_allclose(y.array, 3.0 * _elu(x, 2.0), rtol=1e-6)
    assert y.dtype == numpy.float32


def test_elu_large_negative_no_overflow():
    y = F.elu(numpy.array([-1000.0, 1000.0], numpy.float32))
    numpy.testing.assert_allclose(y.array, [-1.0, 1000.0])


@pytest.mark.parametrize('f', [F.elu, F.selu])
def test_int_input(f):
    with pytest.raises(type_check.InvalidType):
        f(numpy.zeros(2, numpy.int32))


@pytest.mark.parametrize('alpha', [1.0, 0.3, 0.0, -0.5])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_exactly_the_select(alpha, dtype):
    """The select-free arithmetic gives bit for bit what ``where`` gives (mixed
    signs, zeros, non-finite values, a 0-d input)."""
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal(5000).astype(dtype)
    x[:6] = [0.0, -0.0, numpy.inf, -numpy.inf, numpy.nan, -1e-30]
    gy = rng.standard_normal(x.shape).astype(dtype)
    a = dtype(alpha)
    with numpy.errstate(invalid='ignore', over='ignore'):
        expected_y = numpy.where(x > 0, x, a * numpy.expm1(numpy.minimum(x, dtype(0))))
        expected_gx = numpy.where(x > 0, dtype(1), expected_y + a) * gy
    for shape in (x.shape, ()):
        xv = chainer.Variable(x.reshape(-1)[:1].reshape(()) if shape == () else x)
        y = F.elu(xv, alpha)
        y.grad = gy[:1].reshape(()) if shape == () else gy
        y.backward()
        n = 1 if shape == () else None
        numpy.testing.assert_array_equal(y.array, expected_y[:n].reshape(shape))
        numpy.testing.assert_array_equal(xv.grad, expected_gx[:n].reshape(shape))
        assert y.dtype == dtype and xv.grad.dtype == dtype and y.shape == shape


@pytest.mark.parametrize('alpha,keeps_input', [(1.0, False), (0.0, False), (-0.5, True)])
def test_input_retained_only_for_negative_alpha(alpha, keeps_input):
    # For alpha >= 0 the sign of the output gives the mask, so the graph holds
    # one array per ELU (its output), as Chainer's does.
    x = chainer.Variable(numpy.array([-1.0, 0.0, 2.0], numpy.float32))
    y = F.elu(x, alpha)
    node = y.creator_node
    assert (node.inputs[0].data is not None) == keeps_input
    assert y.node.data is y.array
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_allclose(x.grad, [alpha * numpy.exp(-1.0), alpha, 1.0], rtol=1e-6)


@pytest.mark.parametrize('alpha', [float('nan'), float('inf'), -float('inf')])
def test_non_finite_alpha_is_the_select(alpha):
    # x where x > 0 whatever alpha is (alpha * expm1(0) would be NaN), and a
    # gradient of 1 there; the input is retained only for a negative alpha.
    x = chainer.Variable(numpy.array([-1.0, 0.0, 2.0, -numpy.inf, numpy.inf], numpy.float32))
    with numpy.errstate(invalid='ignore'):
        y = F.elu(x, alpha)
        y.grad = numpy.ones(5, numpy.float32)
        y.backward()
        expected = numpy.where(x.array > 0, x.array,
                               numpy.float32(alpha) * numpy.expm1(numpy.minimum(x.array, 0)))
    numpy.testing.assert_array_equal(y.array, expected)
    numpy.testing.assert_array_equal(x.grad[x.array > 0], [1.0, 1.0])
    assert (y.creator_node.inputs[0].data is not None) == (alpha < 0)


@pytest.mark.parametrize('alpha', [1.0, 1.6732632423543772, 0.3])
def test_float16_values_are_float16_arithmetic(alpha):
    # float16 is computed in float32 for speed; every value is still the one
    # NumPy's float16 operations give
    x = numpy.arange(65536, dtype=numpy.uint16).view(numpy.float16)
    x = x[numpy.isfinite(x)]
    v = chainer.Variable(x)
    y = F.elu(v, alpha)
    gy = numpy.random.RandomState(0).randn(x.size).astype(numpy.float16)
    y.grad = gy
    y.backward()
    a = numpy.float16(alpha)
    with numpy.errstate(all='ignore'):
        neg = a * numpy.expm1(numpy.minimum(x, numpy.float16(0)))
        numpy.testing.assert_array_equal(y.array, numpy.where(x > 0, x, neg))
        d = numpy.where(y.array > 0, numpy.float16(1), y.array + a)
        numpy.testing.assert_array_equal(v.grad, d * gy)
    assert y.dtype == v.grad.dtype == numpy.float16


def test_float16_with_an_alpha_past_float16_range_keeps_the_positive_side():
    # Chainer took alpha (a Python float) in float32 where it overflows float16.
    x = chainer.Variable(numpy.array([0., 1., -2.5, 60000.], numpy.float16))
    y = F.elu(x, 1e5)
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.ones(4, numpy.float16))])
    assert y.dtype == gx.dtype == numpy.float16
    numpy.testing.assert_array_equal(y.array, [0., 1., -numpy.inf, 60000.])
    numpy.testing.assert_array_equal(gx.array[[0, 1, 3]], [numpy.inf, 1., 1.])


def test_float16_peak_memory_is_about_the_result():
    # float16 is computed in float32 block by block (not as whole float32 copies,
    # seven times the result): forward and backward each hold little beyond their result.
    x = numpy.random.RandomState(0).randn(16, 32, 32, 32).astype(numpy.float16)  # 1 MiB
    gy = numpy.ones_like(x)
    v = chainer.Variable(x)
    with chainer.no_backprop_mode():
        assert peak_bytes(lambda: F.elu(x)) < 2.2 * x.nbytes
    y = F.elu(v)
    y.grad = gy
    assert peak_bytes(y.backward) < 3.2 * x.nbytes
    assert v.grad.dtype == numpy.float16
