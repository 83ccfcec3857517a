import numpy
import pytest
from scipy import special

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'x': [2.0, 3.5, 'array'],
}))
class TestZeta(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
        if self.x == 'array':
            self.x_value = numpy.random.uniform(2, 4, self.shape).astype(self.dtype)
        else:
            self.x_value = self.x

    def generate_inputs(self):
        return numpy.random.uniform(1, 3, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        q, = inputs
        return F.zeta(device.send(self.x_value) if self.x == 'array' else self.x_value, q),

    def forward_expected(self, inputs):
        q, = inputs
        return numpy.asarray(special.zeta(self.x_value, q)).astype(self.dtype),


def test_riemann_zeta():
    q = numpy.array([1.0], numpy.float64)
    numpy.testing.assert_allclose(F.zeta(2.0, q).array, [numpy.pi ** 2 / 6])


def test_gradient_only_for_q():
    x = chainer.Variable(numpy.array([2.0, 3.0], numpy.float64))
    q = chainer.Variable(numpy.array([1.5, 2.0], numpy.float64))
    y = F.zeta(x, q)
    y.grad = numpy.ones(2)
    y.backward()
    assert x.grad is None
    numpy.testing.assert_allclose(q.grad, -x.array * special.zeta(x.array + 1, q.array))


def test_int_q():
    with pytest.raises(type_check.InvalidType):
        F.zeta(2.0, numpy.ones(3, numpy.int32))


def test_gradient_bitwise_as_chainer():
    # Chainer's form: gy * -x * zeta(x + 1, q)
    rng = numpy.random.RandomState(0)
    q = rng.uniform(0.5, 2, (3, 4)).astype(numpy.float32)
    gy = rng.uniform(-1, 1, (3, 4)).astype(numpy.float32)
    qv = chainer.Variable(q)
    gq, = chainer.grad([F.zeta(2.5, qv)], [qv], [chainer.Variable(gy)])
    expected = gy * numpy.float32(-2.5) * F.zeta(3.5, q).array
    assert numpy.array_equal(gq.array, expected)
