"""Tests of F.prod."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product_dict(
    [{'shape': (3, 2), 'axis': None, 'keepdims': False},
     {'shape': (3, 2), 'axis': 0, 'keepdims': True},
     {'shape': (2, 3, 4), 'axis': (0, 2), 'keepdims': False},
     {'shape': (2, 3, 4), 'axis': -1, 'keepdims': False},
     {'shape': (), 'axis': None, 'keepdims': False},
     {'shape': (2, 0), 'axis': 1, 'keepdims': False}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestProd(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        x = numpy.random.uniform(0.5, 1.5, self.shape)
        x *= numpy.random.choice([-1, 1], self.shape)
        return x.astype(self.dtype),

    def forward(self, inputs, device):
        return F.prod(inputs[0], axis=self.axis, keepdims=self.keepdims),

    def forward_expected(self, inputs):
        return numpy.asarray(
            numpy.prod(inputs[0], axis=self.axis, keepdims=self.keepdims)),


@pytest.mark.parametrize('n_zeros', [1, 2])
@pytest.mark.parametrize('axis', [None, 1])
def test_prod_with_zeros_exact_gradient(n_zeros, axis):
    x = numpy.random.uniform(0.5, 1.5, (2, 4))
    x[0, 1] = 0
    if n_zeros == 2:
        x[0, 3] = 0
    y_shape = numpy.prod(x, axis=axis).shape
    gy = numpy.asarray(numpy.random.randn(*y_shape))
    gradient_check.check_backward(lambda a: F.prod(a, axis), x, gy)
    gradient_check.check_double_backward(
        lambda a: F.prod(a, axis), x, gy, numpy.random.randn(2, 4))
    v = chainer.Variable(x)
    F.sum(F.prod(v, axis)).backward()
    assert numpy.isfinite(v.grad).all()


@pytest.mark.parametrize('shape,axis', [((), None), ((2, 1), 1), ((1,), 0)])
def test_prod_of_one_element_has_zero_second_derivative(shape, axis):
    # As Chainer: the gradient (ones) still depends on x, so the second derivative
    # is a Variable of zeros rather than None.
    x = chainer.Variable(numpy.random.uniform(-1, 1, shape))
    gx, = chainer.grad([F.sum(F.prod(x, axis))], [x], enable_double_backprop=True)
    numpy.testing.assert_array_equal(gx.array, numpy.ones(shape))
    assert gx.requires_grad
    ggx, = chainer.grad([F.sum(gx)], [x])
    numpy.testing.assert_array_equal(ggx.array, numpy.zeros(shape))


def test_prod_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.prod(numpy.arange(3))
    with pytest.raises(type_check.InvalidType):
        F.prod(numpy.ones((2, 3), numpy.float32), axis=-3)
    with pytest.raises(TypeError):
        F.prod(numpy.ones((2, 3), numpy.float32), axis=1.0)


testing.run_module(__name__, __file__)


def test_gradient_with_axes_out_of_order_bitwise_as_chainer():
    # Chainer flattens the reduced axes in the order given (here axis 2, then 0)
    # before its exclusive products from both ends
    rng = numpy.random.RandomState(0)
    x = rng.uniform(0.5, 1.5, (2, 3, 4)).astype(numpy.float32)
    gy = rng.uniform(-1, 1, (3,)).astype(numpy.float32)
    xv = chainer.Variable(x)
    gx, = chainer.grad([F.prod(xv, axis=(-1, 0))], [xv], [chainer.Variable(gy)])
    t = x.transpose(2, 0, 1).reshape(8, 3)
    one = numpy.ones((1, 3), numpy.float32)
    left = numpy.cumprod(numpy.concatenate([one, t[:-1]]), 0)
    right = numpy.cumprod(numpy.concatenate([one, t[::-1][:-1]]), 0)[::-1]
    expected = (left * right).reshape(4, 2, 3).transpose(1, 2, 0) * gy[None, :, None]
    assert numpy.array_equal(gx.array, expected)
