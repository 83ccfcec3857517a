import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((2, 3, 4), 2, 0), ((2, 3, 4), 0, 3), ((2, 3, 4), -1, -3),
             ((2, 3, 4), 1, 2), ((3,), 0, 1), ((0, 2), 1, 0)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestRollaxis(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.rollaxis(inputs[0], self.case[1], self.case[2]),

    def forward_expected(self, inputs):
        return numpy.rollaxis(inputs[0], self.case[1], self.case[2]),


@pytest.mark.parametrize('axis,start', [(3, 0), (-4, 0), (0, 4), (0, -4)])
def test_rollaxis_bad_axis(axis, start):
    with pytest.raises(type_check.InvalidType):
        F.rollaxis(numpy.zeros((2, 3, 4), numpy.float32), axis, start)


def test_rollaxis_axis_type():
    with pytest.raises(TypeError):
        F.rollaxis(numpy.zeros((2, 3), numpy.float32), 1.0)
