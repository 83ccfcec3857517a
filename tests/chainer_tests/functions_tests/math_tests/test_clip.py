import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import traced_peak


def _fp16_options(case):
    if case.dtype == numpy.float16:
        case.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
        case.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'bounds': [(-0.5, 0.5), (None, 0.3), (-0.3, None), (numpy.float64(-0.5), 0.5)],
}))
class TestClip(testing.FunctionTestCase):

    def setUp(self):
        _fp16_options(self)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        # Keep away from the kinks at the bounds.
        for b in self.bounds:
            if b is not None:
                x[numpy.abs(x - b) < 0.05] = b + 0.1
        return x,

    def forward(self, inputs, device):
        x, = inputs
        return F.clip(x, *self.bounds),

    def forward_expected(self, inputs):
        x, = inputs
        lo, hi = self.bounds
        return numpy.asarray(numpy.clip(x, lo, hi)).astype(self.dtype),


def test_gradient_mask():
    x = chainer.Variable(numpy.array([-2.0, -1.0, 0.0, 1.0, 2.0], numpy.float32))
    y = F.clip(x, -1.0, 1.0)
    y.grad = numpy.full(5, 3.0, numpy.float32)
    y.backward()
    # The bounds themselves let the gradient through.
    numpy.testing.assert_array_equal(x.grad, [0, 3, 3, 3, 0])


def test_dtype_kept_with_numpy_scalar_bounds():
    x = numpy.array([0.25, 2.0], numpy.float16)
    y = F.clip(x, numpy.float64(0.0), numpy.float64(1.0))
    assert y.dtype == numpy.float16
    numpy.testing.assert_array_equal(y.array, [0.25, 1.0])


@pytest.mark.parametrize('bounds', [(1.0, 0.0), (0.5, 0.5), (None, None)])
def test_bad_bounds(bounds):
    with pytest.raises(ValueError):
        F.clip(numpy.zeros(3, numpy.float32), *bounds)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.clip(numpy.zeros(3, numpy.int32), 0, 1)


@pytest.mark.parametrize('bounds', [(-1.0, 1.0), (None, 0.5), (-0.5, None)])
def test_forward_builds_one_array(bounds):
    # both bounds applied into one fresh array (not a second temporary the size of x)
    x = numpy.random.RandomState(0).randn(256, 1024).astype(numpy.float32)  # 1 MiB
    x[0, :4] = [numpy.nan, numpy.inf, -numpy.inf, -0.0]
    with traced_peak() as traced:
        with chainer.no_backprop_mode():
            y = F.clip(x, *bounds)
    peak = traced.bytes
    assert peak < 1.2 * x.nbytes, peak
    lo, hi = bounds
    expected = numpy.clip(x, -numpy.inf if lo is None else lo, numpy.inf if hi is None else hi)
    numpy.testing.assert_array_equal(y.array, expected)
    assert y.dtype == numpy.float32
    y0 = F.clip(numpy.array(2.0, numpy.float16), *bounds)
    assert y0.shape == () and y0.dtype == numpy.float16
