import numpy
import pytest

from chainer import testing
from chainer.functions.array.expand_dims import expand_dims
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'case': [((3, 2), 0), ((3, 2), 1), ((3, 2), 2), ((3, 2), -1), ((3, 2), -3),
             ((), 0), ((), -1), ((0, 2), 1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestExpandDims(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axis = self.case
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return expand_dims(inputs[0], self.axis),

    def forward_expected(self, inputs):
        return numpy.expand_dims(inputs[0], self.axis),


@pytest.mark.parametrize('axis', [3, -4])
def test_axis_out_of_range(axis):
    with pytest.raises(type_check.InvalidType):
        expand_dims(numpy.zeros((2, 3), numpy.float32), axis)


def test_bad_axis_type():
    with pytest.raises(TypeError):
        expand_dims(numpy.zeros((2, 3), numpy.float32), (0, 1))
