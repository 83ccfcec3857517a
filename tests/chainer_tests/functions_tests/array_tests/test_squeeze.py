import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.array.squeeze import squeeze
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product_dict(
    [
        {'shape': (1, 3, 1, 2), 'axis': None},
        {'shape': (1, 3, 1, 2), 'axis': 0},
        {'shape': (1, 3, 1, 2), 'axis': -2},
        {'shape': (1, 3, 1, 2), 'axis': (0, 2)},
        {'shape': (1, 3, 1, 2), 'axis': (-4, 2)},
        {'shape': (1,), 'axis': None},
        {'shape': (), 'axis': None},
        {'shape': (), 'axis': ()},
        {'shape': (0, 1), 'axis': 1},
        {'shape': (3, 2), 'axis': None},
    ],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, _backends)
class TestSqueeze(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return squeeze(inputs[0], self.axis),

    def forward_expected(self, inputs):
        return numpy.squeeze(inputs[0], self.axis),


def test_axis_of_length_not_one():
    with pytest.raises(ValueError):
        squeeze(numpy.zeros((2, 1), numpy.float32), 0)


@pytest.mark.parametrize('axis', [2, -3, (0, 5)])
def test_axis_out_of_range(axis):
    with pytest.raises(type_check.InvalidType):
        squeeze(numpy.zeros((1, 1), numpy.float32), axis)


@pytest.mark.parametrize('axis', [[0], 0.5, (0, 'a'), True])
def test_bad_axis_type(axis):
    with pytest.raises(TypeError):
        squeeze(numpy.zeros((1, 1), numpy.float32), axis)


def test_integer_input():
    y = squeeze(chainer.Variable(numpy.zeros((1, 2), numpy.int32)))
    assert y.shape == (2,) and y.dtype == numpy.int32
