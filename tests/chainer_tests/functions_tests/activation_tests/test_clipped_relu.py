import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'z': [0.75, 20.0],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestClippedReLU(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        # Keep away from the kinks at 0 and z.
        x[numpy.abs(x) < 0.1] = 0.5
        x[numpy.abs(x - self.z) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        return F.clipped_relu(inputs[0], self.z),

    def forward_expected(self, inputs):
        x, = inputs
        return numpy.asarray(numpy.minimum(numpy.maximum(x, 0), self.z), dtype=self.dtype),


def test_default_z():
    y = F.clipped_relu(numpy.array([-1.0, 5.0, 25.0], numpy.float32))
    numpy.testing.assert_array_equal(y.array, [0.0, 5.0, 20.0])
    assert y.dtype == numpy.float32


@pytest.mark.parametrize('z', [1, '1.0', None])
def test_z_must_be_float(z):
    with pytest.raises(TypeError):
        F.clipped_relu(numpy.zeros(2, numpy.float32), z)


def test_z_must_be_positive():
    with pytest.raises(ValueError):
        F.clipped_relu(numpy.zeros(2, numpy.float32), -1.0)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.clipped_relu(numpy.zeros(2, numpy.int32))


def test_chainer_module_names():
    from chainer.functions.activation import clipped_relu as module
    x = numpy.array([-1.0, 0.5, 3.0, 7.0], numpy.float32)
    gy = numpy.ones_like(x)
    for grad in (module.ClippedReLUGrad2(x, 6.0),
                 module.ClippedReLUGrad3(x, numpy.clip(x, 0, 6), 6.0)):
        gx, = grad.apply((gy,))
        numpy.testing.assert_array_equal(gx.array, [0, 1, 1, 0])
    numpy.testing.assert_array_equal(module.relu6(x).array, [0, 0.5, 3, 6])
    assert F.relu6 is module.relu6


def test_non_positive_z_is_also_an_assertion_error():
    with pytest.raises(ValueError) as info:
        F.clipped_relu(numpy.ones(2, numpy.float32), -1.0)
    assert isinstance(info.value, AssertionError)
