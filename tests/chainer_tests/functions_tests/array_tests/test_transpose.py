import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.array.transpose import Transpose, transpose
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'case': [((4, 3, 2), None), ((4, 3, 2), (2, 0, 1)), ((4, 3, 2), (-1, 0, -2)),
             ((2, 3), (1, 0)), ((), None), ((), ()), ((0, 3), None), ((5,), (0,))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestTranspose(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axes = self.case
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return transpose(inputs[0], self.axes),

    def forward_expected(self, inputs):
        return inputs[0].transpose(self.axes),


def test_label_and_methods():
    x = chainer.Variable(numpy.zeros((2, 3, 4), numpy.float32))
    assert Transpose().label == 'Transpose'
    assert x.T.shape == (4, 3, 2)
    assert x.transpose(1, 0, 2).shape == (3, 2, 4)
    assert x.transpose((2, 0, 1)).shape == (4, 2, 3)


def test_wrong_number_of_axes():
    with pytest.raises(type_check.InvalidType):
        transpose(numpy.zeros((2, 3), numpy.float32), (0,))


def test_repeated_axes():
    with pytest.raises(ValueError):
        transpose(numpy.zeros((2, 3), numpy.float32), (0, 0))


def test_axes_of_wrong_length_are_also_a_value_error():
    # Chainer let NumPy raise "axes don't match array".
    x = numpy.ones((2, 3), numpy.float32)
    for axes in ((0,), (0, 1, 2)):
        with pytest.raises(type_check.InvalidType):
            transpose(x, axes)
        with pytest.raises(ValueError):
            transpose(x, axes)


@pytest.mark.parametrize('axes', [(1.0, 0), (numpy.float64(1), 0), (True, 0), (numpy.bool_(1), 0)])
def test_non_integer_axes_are_refused(axes):
    # as NumPy's transpose in Chainer; they were truncated to int
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    with pytest.raises(TypeError):
        transpose(x, axes)
    with pytest.raises(TypeError):
        x.transpose(*axes)


def test_numpy_integer_axes_are_accepted():
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    assert x.transpose(numpy.int8(1), numpy.uint8(0)).shape == (3, 2)
