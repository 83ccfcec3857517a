"""Tests of F.logsumexp."""
import numpy
import pytest
import scipy.special

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import traced_peak
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@testing.parameterize(*testing.product_dict(
    [{'shape': (3, 2), 'axis': None},
     {'shape': (3, 2), 'axis': 0},
     {'shape': (2, 3, 4), 'axis': (0, 2)},
     {'shape': (2, 3, 4), 'axis': -1},
     {'shape': (), 'axis': None}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLogSumExp(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.logsumexp(inputs[0], axis=self.axis),

    def forward_expected(self, inputs):
        y = scipy.special.logsumexp(inputs[0].astype(numpy.float64), axis=self.axis)
        return numpy.asarray(y, self.dtype),


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_logsumexp_large_values_stay_finite(dtype):
    x = numpy.array([[1000., 1000.], [-1000., -1001.]], dtype)
    y = F.logsumexp(x, axis=1)
    assert y.dtype == dtype
    expected = scipy.special.logsumexp(x.astype(numpy.float64), axis=1)
    numpy.testing.assert_allclose(y.array.astype(numpy.float64), expected, rtol=1e-3)
    if dtype != numpy.float16:
        assert numpy.isfinite(F.logsumexp(numpy.array([-numpy.inf, 0.], dtype)).array)
        assert F.logsumexp(numpy.array([-numpy.inf, -numpy.inf], dtype)).array == -numpy.inf


def test_logsumexp_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.logsumexp(numpy.arange(3))
    with pytest.raises(type_check.InvalidType):
        F.logsumexp(numpy.ones((2, 3), numpy.float32), axis=2)
    with pytest.raises(ValueError):
        F.logsumexp(numpy.ones((2, 3), numpy.float32), axis=(1, 1))


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('dtype, bound', [(numpy.float32, 1.2), (numpy.float16, 2.2)])
def test_forward_holds_one_array_the_size_of_x(dtype, bound):
    # exp(x - m) in one array (float16's float32 copy itself), not two beside each other
    x = numpy.random.RandomState(0).randn(512, 512).astype(dtype)
    with traced_peak() as traced:
        with chainer.no_backprop_mode():
            y = F.logsumexp(x, axis=1)
    peak = traced.bytes
    assert peak < bound * x.nbytes, peak
    xc = x.astype(numpy.float32)
    m = xc.max(axis=1, keepdims=True)
    expected = numpy.log(numpy.exp(xc - m).sum(axis=1)) + m[:, 0]
    numpy.testing.assert_array_equal(y.array, expected.astype(dtype))


@pytest.mark.parametrize('shape', [(32, 10000), (64, 10000)])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_logsumexp_of_long_rows_in_numpy1_order(shape, dtype):
    x = long_values(shape, dtype, spread=1.0)
    m = x.max(axis=1, keepdims=True)
    expected = numpy.log(numpy1_sum(numpy.exp(x - m), -1, True)) + m
    numpy.testing.assert_array_equal(F.logsumexp(x, axis=1).array, expected[:, 0])
