import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestHardSigmoid(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-4, 4, self.shape).astype(self.dtype)
        x[numpy.abs(numpy.abs(x) - 2.5) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.hard_sigmoid(inputs[0]),

    def forward_expected(self, inputs):
        x, = inputs
        y = numpy.clip(x.astype(numpy.float64) * 0.2 + 0.5, 0, 1)
        return numpy.asarray(y, dtype=self.dtype),


def test_values():
    y = F.hard_sigmoid(numpy.array([-3.0, 0.0, 1.0, 3.0], numpy.float32))
    numpy.testing.assert_allclose(y.array, [0.0, 0.5, 0.7, 1.0], rtol=1e-6)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.hard_sigmoid(numpy.zeros(2, numpy.int32))
