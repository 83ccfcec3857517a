"""Tests of F.inv and F.batch_inv."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product({
    'batched': [False, True],
    'n': [1, 3],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestInv(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        shape = (2, self.n, self.n) if self.batched else (self.n, self.n)
        a = numpy.random.uniform(-0.5, 0.5, shape) + numpy.eye(self.n) * 2
        return a.astype(self.dtype),

    def forward(self, inputs, device):
        f = F.batch_inv if self.batched else F.inv
        return f(inputs[0]),

    def forward_expected(self, inputs):
        return numpy.linalg.inv(inputs[0].astype(numpy.float64)).astype(self.dtype),


def test_inv_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.inv(numpy.ones((2, 3), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.inv(numpy.ones((2, 2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.batch_inv(numpy.ones((2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.inv(numpy.eye(2, dtype=numpy.int32))


def test_inv_singular_raises_chainers_value_error():
    # Chainer turned NumPy's LinAlgError into a plain ValueError of its own words.
    for f, a in ((F.inv, numpy.zeros((2, 2), numpy.float32)),
                 (F.batch_inv, numpy.zeros((1, 2, 2), numpy.float64))):
        with pytest.raises(ValueError, match='^Input has singular matrices.$') as info:
            f(a)
        assert type(info.value) is ValueError



@pytest.mark.gpu
def test_inv_singular_on_gpu_raises_only_in_debug_mode(cupy):
    # As Chainer: no device sync to check the result unless in debug mode.
    a = cupy.zeros((2, 2), numpy.float32)
    for f, x in ((F.inv, a), (F.batch_inv, a[None])):
        with chainer.using_config('debug', False):
            y = f(x)
        assert not bool(cupy.isfinite(y.array).all())
        with chainer.using_config('debug', True):
            with pytest.raises(ValueError, match='Input has singular matrices.'):
                f(x)


testing.run_module(__name__, __file__)


def test_inv_check_message_is_chainers():
    with pytest.raises(type_check.InvalidType) as e:
        F.inv(numpy.zeros((0, 3), numpy.float32))
    assert str(e.value).endswith('Expect: a.shape[0] == a.shape[1]\nActual: 0 != 3')
