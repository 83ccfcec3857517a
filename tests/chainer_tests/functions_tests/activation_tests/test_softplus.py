import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import array as array_utils
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'beta': [1.0, 2.5, -0.5],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSoftplus(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        return numpy.random.uniform(-2, 2, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.softplus(inputs[0], beta=self.beta),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        y = numpy.log1p(numpy.exp(self.beta * x)) / self.beta
        return numpy.asarray(y, dtype=self.dtype),


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_extreme_inputs_are_stable(dtype):
    big = float(numpy.finfo(dtype).max) / 4
    x = numpy.array([-big, -100.0, -30.0, 0.0, 30.0, 100.0, big], dtype)
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = F.softplus(x)
    assert y.dtype == dtype
    expected = numpy.logaddexp(0.0, x.astype(numpy.float64))
    numpy.testing.assert_allclose(y.array.astype(numpy.float64), expected, rtol=1e-3,
                                  atol=1e-7 if dtype == numpy.float16 else 1e-30)
    if dtype != numpy.float16:
        # e^-30 is representable: no cancellation in log(1 + e^x).
        assert y.array[2] > 0


def test_beta_sharpens():
    x = numpy.array([-1.0, 1.0], numpy.float32)
    y = F.softplus(x, beta=50.0)
    numpy.testing.assert_allclose(y.array, [0.0, 1.0], atol=1e-6)
    assert y.dtype == numpy.float32


def test_zero_beta():
    with pytest.raises(ZeroDivisionError):
        F.softplus(numpy.zeros(2, numpy.float32), beta=0.0)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.softplus(numpy.zeros(2, numpy.int32))


@pytest.mark.parametrize('beta', [1.0, 2.5, -0.5])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(3000,), ()])
def test_forward_is_the_stable_formula(beta, dtype, shape):
    """``max(z, 0) + log1p(exp(-|z|))`` for ``z = beta x``, divided by beta, bit
    for bit (large |x| included: no overflow), with the second term as
    ``utils.array.log1p_exp_neg_abs`` computes it (tested against NumPy's)."""
    x = numpy.random.default_rng(0).uniform(-100, 100, shape).astype(dtype)
    t = dtype
    z = x * t(beta)
    with numpy.errstate(over='ignore'):
        expected = (numpy.maximum(z, t(0)) + array_utils.log1p_exp_neg_abs(z)) * t(1 / beta)
    y = F.softplus(x, beta)
    assert y.dtype == dtype and y.shape == shape
    numpy.testing.assert_array_equal(y.array, expected)


def test_float16_with_a_beta_past_float16_range_is_computed_in_float32():
    # Chainer's beta * x took the Python float beta in float32 (NumPy 1).
    import chainer
    x = chainer.Variable(numpy.array([0., 1., -2.5, 3e-5], numpy.float16))
    y = F.softplus(x, 1e5)
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.ones(4, numpy.float16))])
    assert y.dtype == gx.dtype == numpy.float16
    numpy.testing.assert_allclose(y.array, [numpy.log(2) / 1e5, 1., 0., 3.0458e-5], rtol=5e-3)
    numpy.testing.assert_allclose(gx.array, [0.5, 1., 0., 0.9526], rtol=1e-3)


@pytest.mark.parametrize('beta', [1.0, 2.0, 0.3])
@pytest.mark.parametrize('seed', [0, 1])
def test_gradients_bitwise_as_chainer(beta, seed):
    # Chainer's CPU forms: gx = (1 - 1 / (1 + exp(beta * x))) * gy, and for x again
    # ggx * gy * beta * e / (1 + e) ** 2 with e = exp(beta * x)
    rng = numpy.random.RandomState(seed)
    x, gy, ggx = (rng.uniform(-3, 3, (4, 5)).astype(numpy.float32) for _ in range(3))
    xv = chainer.Variable(x)
    y = F.softplus(xv, beta=beta)
    gx, = chainer.grad([y], [xv], [chainer.Variable(gy)], enable_double_backprop=True)
    one, b = numpy.float32(1), numpy.float32(beta)
    e = numpy.exp(b * x)
    assert numpy.array_equal(gx.array, (one - one / (one + e)) * gy)
    g2, = chainer.grad([gx], [xv], [chainer.Variable(ggx)])
    assert numpy.array_equal(g2.array, ggx * gy * b * e / (one + e) ** 2)
