import numpy
import pytest
from scipy import special

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 2)), ((), (2, 3)), ((2, 1), (3,)), ((0,), (0,))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
class TestPolyGamma(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        n_shape, x_shape = self.shapes
        n = numpy.random.randint(0, 3, n_shape).astype(numpy.int32)
        x = numpy.random.uniform(1, 3, x_shape).astype(self.dtype)
        return n, x

    def forward(self, inputs, device):
        n, x = inputs
        return F.polygamma(n, x),

    def forward_expected(self, inputs):
        n, x = inputs
        return numpy.asarray(special.polygamma(n, x)).astype(self.dtype),


def test_order_zero_is_digamma():
    x = numpy.array([0.5, 1.0, 2.5], numpy.float64)
    n = numpy.zeros(3, numpy.int32)
    numpy.testing.assert_allclose(F.polygamma(n, x).array, special.digamma(x))


def test_python_int_order():
    x = numpy.array([1.5, 2.0], numpy.float32)
    y = F.polygamma(1, x)
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, special.polygamma(1, x), rtol=1e-6)


def test_no_gradient_for_order():
    n = chainer.Variable(numpy.array([1, 2], numpy.int32))
    x = chainer.Variable(numpy.array([1.5, 2.0], numpy.float64))
    y = F.polygamma(n, x)
    y.grad = numpy.ones(2)
    y.backward()
    assert n.grad is None
    numpy.testing.assert_allclose(x.grad, special.polygamma([2, 3], x.array))


def test_bad_inputs():
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.polygamma(x, x)  # float order
    with pytest.raises(type_check.InvalidType):
        F.polygamma(numpy.ones((2, 3), numpy.int32), x.astype(numpy.int32))
    with pytest.raises(type_check.InvalidType):
        F.polygamma(numpy.ones((4,), numpy.int32), x)
