import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.functions.noise.gaussian import gaussian
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestGaussian(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        self.eps = numpy.random.standard_normal(self.shape).astype(self.dtype)

    def generate_inputs(self):
        m = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        v = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        return m, v

    def forward(self, inputs, device):
        return gaussian(*inputs, eps=device.send(self.eps)),

    def forward_expected(self, inputs):
        m, v = [a.astype(numpy.float64) for a in inputs]
        return numpy.asarray(m + numpy.exp(v / 2) * self.eps).astype(self.dtype),


def test_random_eps_and_return_eps():
    m = numpy.full((400, 50), 2.0, numpy.float32)
    v = numpy.full((400, 50), numpy.log(9.0), numpy.float32)
    y, eps = gaussian(m, v, return_eps=True)
    assert y.dtype == numpy.float32 and eps.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, m + 3 * eps, rtol=1e-5)
    assert abs(y.array.mean() - 2) < 0.1 and abs(y.array.std() - 3) < 0.1


def test_gradients():
    m = chainer.Variable(numpy.zeros(3))
    v = chainer.Variable(numpy.zeros(3))
    eps = numpy.array([1.0, -2.0, 0.5])
    F.sum(gaussian(m, v, eps=eps)).backward()
    numpy.testing.assert_allclose(m.grad, numpy.ones(3))
    numpy.testing.assert_allclose(v.grad, eps / 2)


def test_bad_inputs():
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        gaussian(a, numpy.zeros((3, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        gaussian(a, a.astype(numpy.float64))
    with pytest.raises(type_check.InvalidType):
        gaussian(a.astype(numpy.int32), a.astype(numpy.int32))
    with pytest.raises(TypeError):
        gaussian(a, a, noise=1)
