import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import traced_peak
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _log_softmax(x, axis):
    x = x.astype(numpy.float64)
    m = x.max(axis=axis, keepdims=True)
    return x - m - numpy.log(numpy.exp(x - m).sum(axis=axis, keepdims=True))


@testing.parameterize(*(
    testing.product({
        'shape_axis': [((3, 4), 1), ((2, 3, 4), 0), ((2, 3, 4), -1), ((5,), 0),
                       ((0, 3), 1)],
        'dtype': [numpy.float32],
    }) + testing.product({
        'shape_axis': [((2, 3), 1)],
        'dtype': [numpy.float16, numpy.float64],
    })))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLogSoftmax(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axis = self.shape_axis
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.log_softmax(inputs[0], axis=self.axis),

    def forward_expected(self, inputs):
        return numpy.asarray(_log_softmax(inputs[0], self.axis), dtype=self.dtype),


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_large_inputs_are_stable(dtype):
    x = numpy.array([[1000.0, 0.0, -1000.0], [10.0, 10.0, 10.0]], dtype)
    with numpy.errstate(over='raise', invalid='raise', divide='raise'):
        y = F.log_softmax(x)
    assert y.dtype == dtype
    numpy.testing.assert_allclose(
        y.array.astype(numpy.float64),
        [[0, -1000, -2000], [-numpy.log(3)] * 3], rtol=1e-3)


def test_agrees_with_log_of_softmax():
    x = numpy.random.uniform(-3, 3, (4, 5))
    numpy.testing.assert_allclose(F.log_softmax(x).array, numpy.log(F.softmax(x).array),
                                  rtol=1e-12)


@pytest.mark.parametrize('shape,axis', [((2, 3), 2), ((2, 3), -3), ((), 0)])
def test_axis_out_of_range(shape, axis):
    with pytest.raises(type_check.InvalidType):
        F.log_softmax(numpy.zeros(shape, numpy.float32), axis=axis)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.log_softmax(numpy.zeros((2, 3), numpy.int32))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_module_logsumexp_and_grad_name(dtype):
    from chainer.functions.activation import log_softmax as module
    x = numpy.random.RandomState(0).uniform(-3, 3, (3, 4)).astype(dtype)
    expected = numpy.log(numpy.exp(x.astype(numpy.float64)).sum(axis=1, keepdims=True))
    numpy.testing.assert_allclose(module.logsumexp(x, 1), expected, rtol=1e-3)
    assert issubclass(module.LogSoftmaxGrad, chainer.FunctionNode)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_forward_bitwise_as_chainer(seed):
    # Chainer's form: x - logsumexp(x), logsumexp(x) = m + log(sum(exp(x - m)))
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-3, 3, (4, 7)).astype(numpy.float32)
    m = x.max(axis=1, keepdims=True)
    expected = x - (m + numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True)))
    assert numpy.array_equal(F.log_softmax(x).array, expected)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape, axis', [((2, 3, 7), 1), ((2, 3, 7), 0), ((4, 8, 8), 1)])
def test_small_inner_axis_bitwise_as_chainer(shape, axis, dtype):
    # Chainer's x - logsumexp(x), its shift the maximum along the axis
    x = numpy.random.RandomState(3).standard_normal(shape).astype(dtype)
    m = x.max(axis=axis, keepdims=True)
    log_z = m + numpy.log(numpy.exp(x - m).sum(axis=axis, keepdims=True))
    numpy.testing.assert_array_equal(F.log_softmax(x, axis=axis).array, x - log_z)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape, axis', [((9, 8), 1), ((5, 4, 6), 1), ((5, 4, 6), -1),
                                         ((4, 6, 300), 1)])
def test_blocked_bitwise(monkeypatch, shape, axis, dtype):
    from tests.chainer_tests.functions_tests.activation_tests.test_softmax import (
        blocked_bitwise)
    blocked_bitwise(monkeypatch, F.log_softmax, shape, axis, dtype)


def test_float16_gradient_builds_in_the_float32_copy_of_y():
    # exp(y) is taken in float16's float32 copy of y, not in another float32 array
    rs = numpy.random.RandomState(0)
    x = rs.randn(512, 1024).astype(numpy.float16)  # 1 MiB, below the blocked size
    v = chainer.Variable(x)
    y = F.log_softmax(v)
    gy = rs.randn(*x.shape).astype(numpy.float16)
    y.grad = gy
    with traced_peak() as traced:
        y.backward()
    peak = traced.bytes
    assert peak < 5.5 * x.nbytes, peak
    gyc = gy.astype(numpy.float32)
    t = numpy.exp(y.array.astype(numpy.float32)) * gyc.sum(axis=1, keepdims=True)
    numpy.testing.assert_array_equal(v.grad, (gyc - t).astype(numpy.float16))


@pytest.mark.parametrize('shape', [(8, 10000), (64, 10000)])  # whole, block by block
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_log_softmax_of_long_rows_in_numpy1_order(shape, dtype):
    x = long_values(shape, dtype, spread=1.0)
    m = x.max(axis=1, keepdims=True)
    expected = x - (m + numpy.log(numpy1_sum(numpy.exp(x - m), -1, True)))
    v = chainer.Variable(x)
    y = F.log_softmax(v)
    numpy.testing.assert_array_equal(y.array, expected)
    gy = long_values(shape, dtype, 1, spread=0.5)
    y.grad = gy
    y.backward()
    numpy.testing.assert_array_equal(v.grad, gy - numpy.exp(expected) * numpy1_sum(gy, -1, True))
