import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _elu(x, alpha):
    x64 = x.astype(numpy.float64)
    return numpy.where(x64 > 0, x64, alpha * numpy.expm1(numpy.minimum(x64, 0)))


@testing.parameterize(*testing.product({
    'shape': [(3, 2), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'alpha': [1.0, -0.5],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestELU(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.elu(inputs[0], alpha=self.alpha),

    def forward_expected(self, inputs):
        return numpy.asarray(_elu(inputs[0], self.alpha), dtype=self.dtype),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSELU(testing.FunctionTestCase):

    alpha = 1.6732632423543772
    scale = 1.0507009873554805

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, (2, 3)).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.selu(inputs[0]),

    def forward_expected(self, inputs):
        y = self.scale * _elu(inputs[0], self.alpha)
        return numpy.asarray(y, dtype=self.dtype),


def test_selu_arguments():
    x = numpy.array([-1.0, 2.0], numpy.float32)
    y = F.selu(x, alpha=2.0, scale=3.0)
    numpy.testing.assert_allclose(y.array, 3.0 * _elu(x, 2.0), rtol=1e-6)
    assert y.dtype == numpy.float32


def test_elu_large_negative_no_overflow():
    y = F.elu(numpy.array([-1000.0, 1000.0], numpy.float32))
    numpy.testing.assert_allclose(y.array, [-1.0, 1000.0])


@pytest.mark.parametrize('f', [F.elu, F.selu])
def test_int_input(f):
    with pytest.raises(type_check.InvalidType):
        f(numpy.zeros(2, numpy.int32))
