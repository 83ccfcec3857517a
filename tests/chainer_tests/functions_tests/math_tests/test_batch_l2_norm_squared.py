"""Tests of F.batch_l2_norm_squared."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (2, 3, 4), (0, 3), (4, 1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestBatchL2NormSquared(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.batch_l2_norm_squared(inputs[0]),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        x = x.reshape(len(x), int(numpy.prod(x.shape[1:])))
        return (x ** 2).sum(axis=1).astype(self.dtype),


def test_batch_l2_norm_squared_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.batch_l2_norm_squared(numpy.ones(3, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.batch_l2_norm_squared(numpy.ones((2, 3), numpy.int32))


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_batch_l2_norm_squared_of_long_rows_in_numpy1_order(dtype):
    x = long_values((3, 100, 100), dtype)
    numpy.testing.assert_array_equal(F.batch_l2_norm_squared(x).array,
                                     numpy1_sum((x * x).reshape(3, -1), -1))
