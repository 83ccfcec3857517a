import numpy
import pytest

import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((2, 3), 2, None), ((2, 3), 2, 1), ((2, 3), (1, 0, 2), 1), ((2, 3), (3,), -2),
             ((2, 3), 0, 0), ((2, 2), (1, 2, 0, 1), None), ((), 3, None), ((0, 2), 2, 0)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestRepeat(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.repeat(inputs[0], self.case[1], self.case[2]),

    def forward_expected(self, inputs):
        return numpy.repeat(inputs[0], self.case[1], self.case[2]),


def test_repeat_errors():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(ValueError):
        F.repeat(x, -1)
    with pytest.raises(TypeError):
        F.repeat(x, 1.5)
    with pytest.raises(TypeError):
        F.repeat(x, [1, 2, 1], axis=1)
    with pytest.raises(TypeError):
        F.repeat(x, 2, axis=1.0)
    with pytest.raises(type_check.InvalidType):
        F.repeat(x, 2, axis=2)
    with pytest.raises(ValueError):
        F.repeat(x, (1, 2), axis=1)


def test_axis_out_of_range_is_also_numpys_axis_error():
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.repeat(x, 2, axis=2)
    with pytest.raises(numpy.exceptions.AxisError):
        F.repeat(x, 2, axis=-3)


@pytest.mark.parametrize('axis', [0, -1])
@pytest.mark.parametrize('repeats', [2, (3,)])
def test_0d_input_repeats_along_axis_0_as_numpy(axis, repeats):
    # NumPy (and so Chainer) reads a 0-d array as 1-d for an axis.
    x = numpy.array(2.5)
    y = F.repeat(x, repeats, axis=axis)
    n = repeats if isinstance(repeats, int) else repeats[0]
    numpy.testing.assert_array_equal(y.array, numpy.full(n, 2.5))
    gradient_check.check_backward(
        lambda v: F.repeat(v, repeats, axis=axis), x, numpy.ones(n), dtype=numpy.float64)
    gradient_check.check_double_backward(
        lambda v: F.repeat(v, repeats, axis=axis) ** 2, x, numpy.ones(n), numpy.array(1.0),
        dtype=numpy.float64)
    with pytest.raises(numpy.exceptions.AxisError):
        F.repeat(x, repeats, axis=1)


def test_node_keeps_its_input():
    # As in Chainer, the node keeps x (graph readers read array inputs from the node).
    x = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    node = F.repeat(x, 2, axis=1).creator
    numpy.testing.assert_array_equal(node.inputs[0].data, x)
