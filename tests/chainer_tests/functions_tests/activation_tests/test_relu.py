import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.functions.activation.relu import ReLUGrad2
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _away_from_zero(x):
    x[numpy.abs(x) < 0.1] = 0.5
    return x


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (2, 0, 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestReLU(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        return _away_from_zero(x),

    def forward(self, inputs, device):
        return F.relu(inputs[0]),

    def forward_expected(self, inputs):
        x, = inputs
        return numpy.asarray(numpy.maximum(x, 0), dtype=self.dtype),


def test_backward_node_and_second_derivative():
    x = chainer.Variable(numpy.array([-1.0, 0.5, 2.0], numpy.float32))
    y = F.relu(x)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    assert isinstance(gx.creator_node, ReLUGrad2)
    numpy.testing.assert_array_equal(gx.array, [0, 1, 1])
    ggx, = chainer.grad([F.sum(gx * gx)], [x])
    # The gradient of ReLU is piecewise constant: no curvature.
    assert ggx is None or not ggx.array.any()


def test_dtype_kept_and_0d_array():
    for dtype in (numpy.float16, numpy.float32, numpy.float64):
        y = F.relu(numpy.array(-2.0, dtype))
        assert type(y.array) is numpy.ndarray
        assert y.dtype == dtype and y.shape == ()


def test_input_not_modified():
    x = numpy.array([-1.0, 1.0], numpy.float32)
    F.relu(x)
    numpy.testing.assert_array_equal(x, [-1.0, 1.0])


@pytest.mark.parametrize('x', [numpy.array([1, -2], numpy.int32), numpy.array([True])])
def test_non_float_input(x):
    with pytest.raises(type_check.InvalidType):
        F.relu(x)


def test_wrong_number_of_inputs():
    from chainer.functions.activation.relu import ReLU
    x = numpy.zeros(2, numpy.float32)
    with pytest.raises(type_check.InvalidType):
        ReLU().apply((x, x))


def test_non_array_input():
    with pytest.raises(TypeError):
        F.relu([1.0, -1.0])


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gpu_grad_kernel_matches_numpy(monkeypatch, dtype):
    from chainer.functions.activation import relu as relu_module
    from chainer.functions.activation.relu import ReLUGrad2
    from tests.chainer_tests import _host_kernels
    _host_kernels.gpu_array_type(monkeypatch, relu_module)
    y = numpy.maximum(numpy.random.uniform(-1, 1, (3, 4)), 0).astype(dtype)
    y[0, :2] = 0
    gy = numpy.random.uniform(-1, 1, y.shape).astype(dtype)
    expected, = ReLUGrad2(y).forward((gy,))
    got, = ReLUGrad2(_host_kernels.not_numpy(y)).forward((gy,))
    assert _host_kernels.launched == ['rechainer_relu_grad']
    assert got.dtype == dtype
    numpy.testing.assert_array_equal(got, expected)


def test_numpy_subclass_stays_on_the_cpu():
    """A NumPy subclass is a CPU array: its gradient takes no GPU kernel."""
    class Sub(numpy.ndarray):
        pass

    x = chainer.Variable(numpy.array([1., -2., 3.], numpy.float32).view(Sub))
    y = F.relu(x)
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [1., 0., 1.])
