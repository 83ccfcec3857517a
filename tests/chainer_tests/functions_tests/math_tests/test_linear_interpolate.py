"""Tests of F.linear_interpolate."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (2, 0)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLinearInterpolate(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        p = numpy.random.uniform(0, 1, self.shape).astype(self.dtype)
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        y = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        return p, x, y

    def forward(self, inputs, device):
        return F.linear_interpolate(*inputs),

    def forward_expected(self, inputs):
        p, x, y = inputs
        return numpy.asarray(p * x + (1 - p) * y, self.dtype),


def test_linear_interpolate_bad_input():
    a = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.linear_interpolate(a, a, numpy.ones((3, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.linear_interpolate(a, a, a.astype(numpy.float64))
    with pytest.raises(type_check.InvalidType):
        F.linear_interpolate(a.astype(numpy.int32), a, a)


testing.run_module(__name__, __file__)
