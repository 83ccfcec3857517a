"""Tests of F.scale."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests import _spread


@testing.parameterize(*testing.product_dict(
    [{'x_shape': (3, 2, 3), 'y_shape': (2,), 'axis': 1},
     {'x_shape': (3, 2, 3), 'y_shape': (2, 3), 'axis': 1},
     {'x_shape': (3, 2, 3), 'y_shape': (3, 2), 'axis': 0},
     {'x_shape': (3, 2, 3), 'y_shape': (3,), 'axis': 2},
     {'x_shape': (2, 3), 'y_shape': (), 'axis': 1}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestScale(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.x_shape).astype(self.dtype)
        y = numpy.random.uniform(-1, 1, self.y_shape).astype(self.dtype)
        return x, y

    def forward(self, inputs, device):
        x, y = inputs
        return F.scale(x, y, self.axis),

    def forward_expected(self, inputs):
        x, y = inputs
        shape = (1,) * self.axis + y.shape + (1,) * (x.ndim - self.axis - y.ndim)
        return x * y.reshape(shape),


def test_scale_bad_shape():
    x = numpy.ones((3, 2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.scale(x, numpy.ones((3,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.scale(x, numpy.ones((2, 3), numpy.float32), axis=2)
    with pytest.raises(TypeError):
        F.scale(x, numpy.ones((2,), numpy.float32), axis=1.0)


testing.run_module(__name__, __file__)


def test_scale_of_a_large_input_spreads_it_over_a_sample(monkeypatch):
    # the scale spread over a sample (NumPy's broadcast over short runs is slow),
    # in the product and in x's gradient: the same results, bit for bit
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    w = rng.uniform(-1, 1, (30, 8)).astype(numpy.float32)
    spread, fast, plain = _spread.spread_and_plain(monkeypatch, F.scale, (x, w))
    assert spread == 2
    for got, expected in zip(fast, plain):
        numpy.testing.assert_array_equal(got, expected)
    numpy.testing.assert_array_equal(fast[0], x * w.reshape(1, 30, 8, 1))


def test_large_input_double_backward():
    # the spread scale and the einsum sums in the graph of the gradient too
    from chainer import gradient_check
    rng = numpy.random.RandomState(1)
    x, w = rng.uniform(-1, 1, (8, 30, 8, 9)), rng.uniform(-1, 1, (30,))
    gy = rng.uniform(-1, 1, x.shape)
    ggx, ggw = rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, w.shape)
    gradient_check.check_backward(F.scale, (x, w), gy, atol=1e-6, rtol=1e-6)
    gradient_check.check_double_backward(F.scale, (x, w), gy, (ggx, ggw), atol=1e-6,
                                         rtol=1e-6)
