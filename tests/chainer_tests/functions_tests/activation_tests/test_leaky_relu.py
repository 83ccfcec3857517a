import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

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
