import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.array.reshape import Reshape, reshape
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'case': [((4, 3), (2, 6)), ((4, 3), (-1, 2)), ((4, 3), (12,)), ((), (1, 1)),
             ((1,), ()), ((0, 3), (3, 0)), ((0, 3), (-1, 3)), ((2, 3, 4), (4, -1, 3))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestReshape(testing.FunctionTestCase):

    def setUp(self):
        self.in_shape, self.out_shape = self.case
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.in_shape).astype(self.dtype),

    def forward(self, inputs, device):
        return reshape(inputs[0], self.out_shape),

    def forward_expected(self, inputs):
        return inputs[0].reshape(self.out_shape),


def test_same_shape_returns_input():
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    assert reshape(x, (2, 3)) is x


def test_variable_reshape_method():
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32))
    assert x.reshape(2, 3).shape == (2, 3)
    assert x.reshape((3, 2)).shape == (3, 2)
    assert isinstance(x.reshape(-1, 1).creator, Reshape)


@pytest.mark.parametrize('shape', [(5,), (4, -1), (7, 1)])
def test_size_mismatch(shape):
    with pytest.raises(type_check.InvalidType):
        reshape(numpy.zeros((2, 3), numpy.float32), shape)


def test_two_unknown_dims():
    with pytest.raises(ValueError):
        reshape(numpy.zeros((2, 3), numpy.float32), (-1, -1))


def test_two_unknown_dimensions_is_also_an_assertion_error():
    with pytest.raises(ValueError) as info:
        reshape(numpy.ones((2, 3), numpy.float32), (-1, -1))
    assert isinstance(info.value, AssertionError)


def test_shape_as_0d_integer_array():
    # Chainer took a 0-d integer array for a 1-d shape.
    x = numpy.arange(3, dtype=numpy.float32)
    assert reshape(x.reshape(1, 3), numpy.array(3)).shape == (3,)


def test_same_shape_returns_input_only_for_a_tuple():
    # Chainer returned x itself only when the shape argument equalled
    # x.shape; a list (also through Variable.reshape) always added a node.
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    assert reshape(x, (2, 3)) is x
    assert x.reshape(2, 3) is x
    for y in (reshape(x, [2, 3]), x.reshape([2, 3])):
        assert y is not x and isinstance(y.creator, Reshape)
