"""Tests of F.cumprod."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product_dict(
    [{'shape': (3, 2), 'axis': None},
     {'shape': (3, 2), 'axis': 0},
     {'shape': (2, 3, 4), 'axis': -1},
     {'shape': (2, 1, 4), 'axis': 1},
     {'shape': (), 'axis': None},
     {'shape': (0, 3), 'axis': 0}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCumprod(testing.FunctionTestCase):

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
        return F.cumprod(inputs[0], axis=self.axis),

    def forward_expected(self, inputs):
        return numpy.cumprod(inputs[0], axis=self.axis).astype(self.dtype),


@pytest.mark.parametrize('axis', [None, 0, 1])
def test_cumprod_with_zeros(axis):
    x = numpy.random.uniform(0.5, 1.5, (3, 4))
    x[1, 1] = 0
    x[2, 1] = 0
    gy = numpy.random.randn(*numpy.cumprod(x, axis=axis).shape)
    gradient_check.check_backward(lambda a: F.cumprod(a, axis), x, gy)
    gradient_check.check_double_backward(
        lambda a: F.cumprod(a, axis), x, gy, numpy.random.randn(3, 4))


def test_cumprod_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.cumprod(numpy.arange(3))
    with pytest.raises(type_check.InvalidType):
        F.cumprod(numpy.ones((2, 3), numpy.float32), axis=-3)
    with pytest.raises(TypeError):
        F.cumprod(numpy.ones((2, 3), numpy.float32), axis='0')


testing.run_module(__name__, __file__)


class _CountApplied(chainer.FunctionHook):
    name = 'count_applied'

    def __init__(self):
        self.n = 0

    def forward_preprocess(self, function, in_data):
        self.n += 1


@pytest.mark.parametrize('shape,axis', [((3000,), None), ((2, 1025), 1)])
def test_cumprod_long_axis_backward(shape, axis):
    # The gradient takes ceil(log2(n)) whole-array steps, not a few nodes per
    # entry of the axis (which held thousands of small arrays at once).
    rng = numpy.random.RandomState(0)
    x = rng.uniform(0.9, 1.1, shape)
    x.reshape(-1)[[5, 100, 101, 1020]] = 0
    gy = rng.uniform(-1, 1, numpy.cumprod(x, axis=axis).shape)
    xv = chainer.Variable(x)
    y = F.cumprod(xv, axis)
    y.grad = gy
    hook = _CountApplied()
    with hook:
        y.backward()
    assert hook.n < 200
    xs = x.reshape(-1, shape[-1]) if axis is not None else x.reshape(1, -1)
    gs = gy.reshape(xs.shape)
    expected = numpy.empty_like(xs)
    for row in range(xs.shape[0]):
        r = 0.0
        ys = numpy.cumprod(xs[row])
        for j in range(xs.shape[1] - 1, -1, -1):
            r = gs[row, j] + (xs[row, j + 1] * r if j + 1 < xs.shape[1] else 0.0)
            expected[row, j] = r * (ys[j - 1] if j else 1.0)
    numpy.testing.assert_allclose(xv.grad, expected.reshape(shape), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gradient_next_to_an_infinity_and_a_zero_has_no_inf_times_zero(dtype):
    # gx_0 = gy_0 + x_1 (gy_1 + x_2 gy_2): with x_1 = inf and x_2 = 0 this is inf,
    # as in Chainer; a product x_1 x_2 formed first would make it NaN.
    x = chainer.Variable(numpy.array([[numpy.inf, numpy.inf, 0.], [2., 0., 3.]], dtype))
    with numpy.errstate(invalid='ignore', over='ignore'):
        gx, = chainer.grad([F.cumprod(x, axis=1)], [x],
                           [chainer.Variable(numpy.ones((2, 3), dtype))])
    assert gx.dtype == dtype
    numpy.testing.assert_array_equal(gx.array, [[numpy.inf] * 3, [1., 8., 0.]])
