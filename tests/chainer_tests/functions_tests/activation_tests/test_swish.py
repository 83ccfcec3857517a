import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests import _spread

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _swish(x, beta):
    b = beta.reshape((1,) + beta.shape + (1,) * (x.ndim - 1 - beta.ndim))
    x = x.astype(numpy.float64)
    return x / (1 + numpy.exp(-b * x))


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
class TestSwish(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x_shape, b_shape = self.shapes
        x = numpy.random.uniform(-1, 1, x_shape).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, b_shape).astype(self.dtype)
        return x, beta

    def forward(self, inputs, device):
        x, beta = inputs
        return F.swish(x, beta),

    def forward_expected(self, inputs):
        x, beta = inputs
        return numpy.asarray(_swish(x, beta), dtype=self.dtype),


def test_large_inputs_are_stable():
    x = numpy.array([[-1000.0, 1000.0]], numpy.float32)
    with numpy.errstate(over='raise', invalid='raise'):
        y = F.swish(x, numpy.ones(2, numpy.float32))
    numpy.testing.assert_allclose(y.array, [[0.0, 1000.0]])


@pytest.mark.parametrize('x_shape,b_shape', [((2, 3), (4,)), ((2, 3), (3, 1)), ((3,), (3,))])
def test_shape_mismatch(x_shape, b_shape):
    with pytest.raises(type_check.InvalidType):
        F.swish(numpy.zeros(x_shape, numpy.float32), numpy.zeros(b_shape, numpy.float32))


def test_dtype_mismatch():
    with pytest.raises(type_check.InvalidType):
        F.swish(numpy.zeros((2, 3), numpy.float32), numpy.zeros((3,), numpy.float16))


def test_check_messages_are_chainers():
    with pytest.raises(type_check.InvalidType) as e:
        F.swish(numpy.zeros(3, numpy.float32), numpy.zeros(3, numpy.float32))
    assert str(e.value).endswith('Expect: beta.ndim <= x.ndim - 1\nActual: 1 > 0')
    with pytest.raises(type_check.InvalidType) as e:
        F.swish(numpy.zeros((2, 4), numpy.float32), numpy.zeros(3, numpy.float32))
    assert str(e.value).endswith('Expect: beta.shape == x.shape[1:2]\nActual: (3,) != (4,)')


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_gradients_bitwise_as_chainer(seed):
    # Chainer's CPU forms: s = tanh(beta * x / 2) / 2 + 1 / 2, y = x * s, by = beta * y,
    # gx = gy * (by + s * (1 - by)), gbeta = sum(gy * y * (x - y)) over axes 0 and 2
    rng = numpy.random.RandomState(seed)
    x, gy = (rng.uniform(-3, 3, (4, 3, 5)).astype(numpy.float32) for _ in range(2))
    beta = rng.uniform(0.5, 2, (3,)).astype(numpy.float32)
    xv, bv = chainer.Variable(x), chainer.Variable(beta)
    y = F.swish(xv, bv)
    y.grad = gy
    y.backward()
    half, one = numpy.float32(0.5), numpy.float32(1)
    b = beta.reshape(1, 3, 1)
    s = numpy.tanh(b * x * half) * half + half
    ey = x * s
    by = b * ey
    assert numpy.array_equal(y.array, ey)
    assert numpy.array_equal(xv.grad, gy * (by + s * (one - by)))
    assert numpy.array_equal(bv.grad, (gy * ey * (x - ey)).sum(axis=(0, 2)))


def test_large_input_per_channel_beta_spread_over_a_sample(monkeypatch):
    # beta spread over a sample (NumPy's broadcast over short runs is slow):
    # the same bits, gradients included
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    beta = rng.uniform(-1, 1, (30,)).astype(numpy.float32)
    spread, fast, plain = _spread.spread_and_plain(monkeypatch, F.swish, (x, beta))
    assert spread >= 2
    for got, expected in zip(fast, plain):
        numpy.testing.assert_array_equal(got, expected)
