import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSigmoid(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        return numpy.random.uniform(-3, 3, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.sigmoid(inputs[0]),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        return numpy.asarray(1 / (1 + numpy.exp(-x)), dtype=self.dtype),


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_extreme_inputs_are_stable(dtype):
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = F.sigmoid(numpy.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype).clip(
            numpy.finfo(dtype).min, numpy.finfo(dtype).max))
    assert y.dtype == dtype
    assert numpy.isfinite(y.array).all()
    numpy.testing.assert_allclose(y.array[[0, 2, 4]], [0.0, 0.5, 1.0])


def test_grad_given_output():
    x = chainer.Variable(numpy.array([0.0, 2.0], numpy.float32))
    y = F.sigmoid(x)
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    s = 1 / (1 + numpy.exp(-x.array))
    numpy.testing.assert_allclose(x.grad, s * (1 - s), rtol=1e-6)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.sigmoid(numpy.zeros(2, numpy.int32))


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_gradients_bitwise_as_chainer(seed):
    # Chainer's CPU forms: y = tanh(x / 2) / 2 + 1 / 2, gx = gy * y * (1 - y),
    # and for gx's node ggx * gy * (1 - 2 * y), ggx * y * (1 - y): equal to the bit
    rng = numpy.random.RandomState(seed)
    x, gy, ggx = (rng.uniform(-3, 3, (4, 5)).astype(numpy.float32) for _ in range(3))
    xv = chainer.Variable(x)
    y = F.sigmoid(xv)
    gx, = chainer.grad([y], [xv], [chainer.Variable(gy)], enable_double_backprop=True)
    half, one, two = numpy.float32(0.5), numpy.float32(1), numpy.float32(2)
    ey = numpy.tanh(x * half) * half + half
    assert numpy.array_equal(y.array, ey)
    assert numpy.array_equal(gx.array, gy * ey * (one - ey))
    yv, gyv = chainer.Variable(ey), chainer.Variable(gy)
    out, = F.activation.sigmoid.SigmoidGrad().apply((yv, gyv))
    g_y, g_gy = chainer.grad([out], [yv, gyv], [chainer.Variable(ggx)])
    assert numpy.array_equal(g_y.array, ggx * gy * (one - two * ey))
    assert numpy.array_equal(g_gy.array, ggx * ey * (one - ey))
