import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((2, 3, 4), 0, 2), ((3, 2), -1, 0), ((2, 3, 1), 1, 1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSwapaxes(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.swapaxes(inputs[0], self.case[1], self.case[2]),

    def forward_expected(self, inputs):
        return inputs[0].swapaxes(self.case[1], self.case[2]),


def test_swapaxes_bad_axis():
    with pytest.raises(type_check.InvalidType):
        F.swapaxes(numpy.zeros((2, 3), numpy.float32), 0, 2)


def test_axis_out_of_range_is_also_numpys_axis_error():
    # Chainer let NumPy raise AxisError (a ValueError and an IndexError).
    x = numpy.ones((2, 3), numpy.float32)
    for a1, a2 in ((0, 2), (-3, 0)):
        with pytest.raises(type_check.InvalidType):
            F.swapaxes(x, a1, a2)
        with pytest.raises(numpy.exceptions.AxisError):
            F.swapaxes(x, a1, a2)
