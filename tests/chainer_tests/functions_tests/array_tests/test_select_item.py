import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (4, 5), (0, 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    't_dtype': [numpy.int32, numpy.int64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSelectItem(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        t = numpy.random.randint(0, self.shape[1], self.shape[0]).astype(self.t_dtype)
        return x, t

    def forward(self, inputs, device):
        return F.select_item(*inputs),

    def forward_expected(self, inputs):
        x, t = inputs
        return x[numpy.arange(len(t)), t],


def test_select_item_variable_t_and_debug_bounds():
    x = numpy.arange(6, dtype=numpy.float32).reshape(3, 2)
    t = chainer.Variable(numpy.array([1, 0, 1], numpy.int32))
    numpy.testing.assert_array_equal(F.select_item(x, t).array, [1, 2, 5])
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError):
            F.select_item(x, numpy.array([1, 2, 0], numpy.int32))


@pytest.mark.parametrize('xs,ts,tdtype', [
    ((3, 2), (3,), numpy.float32), ((3, 2), (2,), numpy.int32),
    ((3,), (3,), numpy.int32), ((3, 2), (3, 1), numpy.int32)])
def test_select_item_errors(xs, ts, tdtype):
    with pytest.raises(type_check.InvalidType):
        F.select_item(numpy.zeros(xs, numpy.float32), numpy.zeros(ts, tdtype))
