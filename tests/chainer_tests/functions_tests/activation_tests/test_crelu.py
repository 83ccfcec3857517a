import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*(
    testing.product({
        'shape_axis': [((3, 2), 1), ((2, 3, 4), 0), ((2, 3, 4), -1), ((4,), 0), ((0, 3), 1)],
        'dtype': [numpy.float32],
    }) + testing.product({
        'shape_axis': [((2, 3), 1)],
        'dtype': [numpy.float16, numpy.float64],
    })))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCReLU(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axis = self.shape_axis
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.crelu(inputs[0], axis=self.axis),

    def forward_expected(self, inputs):
        x, = inputs
        y = numpy.concatenate((numpy.maximum(x, 0), numpy.maximum(-x, 0)), axis=self.axis)
        return y.astype(self.dtype),


def test_default_axis():
    x = numpy.array([[-1.0, 2.0]], numpy.float32)
    y = F.crelu(x)
    numpy.testing.assert_array_equal(y.array, [[0.0, 2.0, 1.0, 0.0]])
    assert y.dtype == numpy.float32


def test_zeros_keep_their_sign_as_in_chainer():
    # Chainer took maximum(0, x) and maximum(0, -x): a zero passes through with
    # its sign, so x = 0 prints as -0. in the second half.
    x = numpy.array([[0.0, -0.0, 1.0]], numpy.float32)
    y = F.crelu(x).array
    assert numpy.signbit(y).tolist() == [[False, True, False, True, False, False]]


@pytest.mark.parametrize('shape,axis', [((2, 3), 2), ((2, 3), -3), ((3,), 1)])
def test_axis_out_of_range(shape, axis):
    with pytest.raises(type_check.InvalidType):
        F.crelu(numpy.zeros(shape, numpy.float32), axis=axis)


def test_axis_must_be_int():
    with pytest.raises(TypeError):
        F.crelu(numpy.zeros((2, 3), numpy.float32), axis=1.5)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.crelu(numpy.zeros((2, 3), numpy.int32))
