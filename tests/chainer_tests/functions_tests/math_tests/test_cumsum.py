"""Tests of F.cumsum."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product_dict(
    [{'shape': (3, 2), 'axis': None},
     {'shape': (3, 2), 'axis': 0},
     {'shape': (2, 3, 4), 'axis': -1},
     {'shape': (2, 3, 4), 'axis': 1},
     {'shape': (), 'axis': None},
     {'shape': (0, 3), 'axis': 0}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCumsum(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.cumsum(inputs[0], axis=self.axis),

    def forward_expected(self, inputs):
        return numpy.cumsum(inputs[0], axis=self.axis).astype(self.dtype),


def test_cumsum_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.cumsum(numpy.arange(3))
    with pytest.raises(type_check.InvalidType):
        F.cumsum(numpy.ones((2, 3), numpy.float32), axis=2)
    with pytest.raises(TypeError):
        F.cumsum(numpy.ones((2, 3), numpy.float32), axis=(0,))


testing.run_module(__name__, __file__)
