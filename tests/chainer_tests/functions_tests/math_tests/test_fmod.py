import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 2)), ((2, 3), (3,)), ((), ()), ((3,), (2, 1)), ((0, 2), (2,))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
class TestFmod(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        s1, s2 = self.shapes
        # Keep x / divisor away from the integers, where fmod jumps.
        while True:
            x = numpy.random.uniform(-3, 3, s1).astype(self.dtype)
            divisor = (numpy.random.uniform(0.8, 1.6, s2)
                       * numpy.random.choice([-1, 1], s2)).astype(self.dtype)
            ratio = x.astype(numpy.float64) / divisor
            if ratio.size == 0 or numpy.abs(ratio - numpy.round(ratio)).min() > 0.05:
                return x, divisor

    def forward(self, inputs, device):
        return F.fmod(*inputs),

    def forward_expected(self, inputs):
        return numpy.asarray(numpy.fmod(*inputs)).astype(self.dtype),


def test_sign_of_dividend():
    x = numpy.array([-5.0, 5.0, -5.0, 5.0], numpy.float32)
    d = numpy.array([3.0, 3.0, -3.0, -3.0], numpy.float32)
    numpy.testing.assert_array_equal(F.fmod(x, d).array, [-2, 2, -2, 2])


def test_gradients():
    x = chainer.Variable(numpy.array([5.5, -7.0], numpy.float64))
    d = chainer.Variable(numpy.array([2.0, 3.0], numpy.float64))
    y = F.fmod(x, d)
    y.grad = numpy.ones(2)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [1, 1])
    numpy.testing.assert_array_equal(d.grad, [-2, 2])


def test_bad_inputs():
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.fmod(x, x.astype(numpy.float64))
    with pytest.raises(type_check.InvalidType):
        F.fmod(x, numpy.ones((4,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.fmod(x.astype(numpy.int32), x.astype(numpy.int32))
