import numpy
import pytest

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
class TestReLU6(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-8, 8, self.shape).astype(self.dtype)
        x[numpy.abs(x) < 0.2] = 0.5
        x[numpy.abs(x - 6) < 0.2] = 5.0
        return x,

    def forward(self, inputs, device):
        return F.relu6(inputs[0]),

    def forward_expected(self, inputs):
        x, = inputs
        return numpy.asarray(numpy.clip(x, 0, 6), dtype=self.dtype),


def test_values():
    y = F.relu6(numpy.array([-1.0, 3.0, 7.0], numpy.float32))
    numpy.testing.assert_array_equal(y.array, [0.0, 3.0, 6.0])


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.relu6(numpy.zeros(2, numpy.int64))
