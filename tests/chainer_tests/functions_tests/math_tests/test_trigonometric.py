import unittest

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.math_tests import _unary_data
from tests.chainer_tests._memory import traced_peak


_make_data_inside_unit = _unary_data.uniform_input(-0.9, 0.9)


@testing.unary_math_function_unittest(F.sin, label_expected='sin')
class TestSin(unittest.TestCase):
    pass


@testing.unary_math_function_unittest(F.cos, label_expected='cos')
class TestCos(unittest.TestCase):
    pass


@testing.unary_math_function_unittest(F.tan, label_expected='tan')
class TestTan(unittest.TestCase):
    pass


@testing.unary_math_function_unittest(F.arcsin, make_data=_make_data_inside_unit,
                                      label_expected='arcsin',
                                      # float16's default step is too coarse here
                                      double_backward_options={'eps': 1e-3})
class TestArcsin(unittest.TestCase):
    pass


@testing.unary_math_function_unittest(F.arccos, make_data=_make_data_inside_unit,
                                      label_expected='arccos',
                                      # float16's default step is too coarse here
                                      double_backward_options={'eps': 1e-3})
class TestArccos(unittest.TestCase):
    pass


@testing.unary_math_function_unittest(F.arctan, label_expected='arctan')
class TestArctan(unittest.TestCase):
    pass


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 2)), ((2, 3, 4), (3, 1)), ((), (2,)), ((0, 2), (2,))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
class TestArctan2(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
            self.check_double_backward_options = {
                'atol': 1e-4, 'rtol': 1e-3}

    def generate_inputs(self):
        s1, s2 = self.shapes
        # Keep away from the origin, where arctan2 is not differentiable, and
        # from its branch cut (x1 == 0, x2 < 0), where it jumps by 2 pi.
        x1 = (numpy.random.uniform(0.1, 1, s1)
              * numpy.random.choice([-1, 1], s1)).astype(self.dtype)
        x2 = (numpy.random.uniform(0.5, 1, s2)
              * numpy.random.choice([-1, 1], s2)).astype(self.dtype)
        return x1, x2

    def forward(self, inputs, device):
        return F.arctan2(*inputs),

    def forward_expected(self, inputs):
        return numpy.asarray(numpy.arctan2(*inputs)).astype(self.dtype),


@pytest.mark.parametrize('func', [F.sin, F.cos, F.tan, F.arcsin, F.arccos, F.arctan])
def test_zero_size(func):
    x = chainer.Variable(numpy.zeros((0, 3), numpy.float32))
    y = func(x)
    assert y.shape == (0, 3) and y.dtype == numpy.float32
    y.grad = numpy.zeros((0, 3), numpy.float32)
    y.backward()
    assert x.grad.shape == (0, 3)


@pytest.mark.parametrize('func', [F.sin, F.cos, F.tan, F.arcsin, F.arccos, F.arctan])
def test_int_input(func):
    with pytest.raises(type_check.InvalidType):
        func(numpy.array([0, 1], numpy.int32))


def test_zero_d_stays_array():
    y = F.sin(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()


def test_arctan2_bad_inputs():
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.arctan2(x, numpy.ones((4,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.arctan2(x.astype(numpy.int32), x.astype(numpy.int32))


def test_arctan2_quadrants():
    x1 = numpy.array([1, 1, -1, -1], numpy.float32)
    x2 = numpy.array([1, -1, 1, -1], numpy.float32)
    numpy.testing.assert_allclose(F.arctan2(x1, x2).array, numpy.arctan2(x1, x2))


def test_arcsin_grad_node_third_order():
    x = chainer.Variable(numpy.array([0.3, -0.2], numpy.float64))
    y = F.arcsin(x)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x], enable_double_backprop=True)
    gggx, = chainer.grad([ggx], [x])
    v = x.array
    expected = (1 + 2 * v * v) / (1 - v * v) ** 2.5
    numpy.testing.assert_allclose(gggx.array, expected, rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(), (3, 4)])
def test_sin_cos_gradients_to_the_third_order(dtype, shape):
    rng = numpy.random.RandomState(5)
    x_data = numpy.asarray(rng.uniform(-3, 3, shape)).astype(dtype)
    gy = numpy.asarray(rng.uniform(-1, 1, shape)).astype(dtype)
    for f, derivatives in [(F.sin, [numpy.cos, lambda a: -numpy.sin(a), lambda a: -numpy.cos(a)]),
                           (F.cos, [lambda a: -numpy.sin(a), lambda a: -numpy.cos(a), numpy.sin])]:
        x = chainer.Variable(x_data)
        y = f(x)
        g, = chainer.grad([y], [x], grad_outputs=[chainer.Variable(gy)],
                          enable_double_backprop=True)
        # the first derivative has the bits of its formula
        want = gy * derivatives[0](x_data)
        assert g.dtype == dtype and g.shape == shape
        numpy.testing.assert_array_equal(g.array, want)
        tol = {numpy.float16: 1e-2}.get(dtype, 1e-5)
        for d in derivatives[1:]:
            g, = chainer.grad([F.sum(g)], [x], enable_double_backprop=True)
            numpy.testing.assert_allclose(g.array, gy * d(x_data), rtol=tol, atol=tol)


def test_arctan2_gradient_of_tiny_float16_inputs_is_finite():
    # x / (x1**2 + x2**2) first, as Chainer: gy / (x1**2 + x2**2) overflows float16
    x1 = chainer.Variable(numpy.array([5.65e-4], numpy.float16))
    x2 = chainer.Variable(numpy.array([5.65e-4], numpy.float16))
    F.sum(F.arctan2(x1, x2)).backward()
    s = numpy.float64(x1.array[0]) ** 2 * 2
    numpy.testing.assert_allclose(x1.grad, [x2.array[0] / s], rtol=0.1)  # subnormal squares
    numpy.testing.assert_allclose(x2.grad, [-x1.array[0] / s], rtol=0.1)


def test_tan_gradient_near_half_pi_in_float16_is_finite():
    # gy / cos(x) ** 2 (Chainer's form): 1 + tan(x) ** 2 overflows float16 there.
    x = chainer.Variable(numpy.array([numpy.pi / 2, -numpy.pi / 2, 0.5], numpy.float16))
    y = F.tan(x)
    gy = numpy.full(3, 2.0 ** -10, numpy.float16)
    gx, = chainer.grad([y], [x], [gy])
    x64 = x.array.astype(numpy.float64)
    numpy.testing.assert_allclose(gx.array, 2.0 ** -10 / numpy.cos(x64) ** 2, rtol=0.05)


def test_arctan_second_derivative_at_large_float16_as_chainer():
    # Chainer's -2 * gy * x * ggx / (s ** 2 + 2 * s + 1), s = x ** 2: -0 at large x
    # and NaN (inf / inf) where -2 x itself overflows, as Chainer 7.8.1 gives
    x = chainer.Variable(numpy.array([300.0, 1000.0, 65504.0, -65504.0], numpy.float16))
    gx, = chainer.grad([F.arctan(x)], [x], [numpy.ones(4, numpy.float16)],
                       enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x], [numpy.ones(4, numpy.float16)])
    numpy.testing.assert_array_equal(ggx.array, numpy.array([-0.0, -0.0, numpy.nan, numpy.nan],
                                                            numpy.float16))
    assert numpy.signbit(ggx.array[:2]).all()


@pytest.mark.parametrize('dtypes', [(numpy.float16, numpy.float64), (numpy.float32, numpy.float64),
                                    (numpy.float64, numpy.float32), (numpy.float16, numpy.float32)])
def test_arctan2_of_two_float_dtypes(dtypes):
    # Chainer's forward took two float dtypes and gave NumPy's promotion (its
    # backward then failed on the dtype of the gradients).
    d1, d2 = dtypes
    x1 = numpy.array([[0.5, -1.0, 2.0]], d1)
    x2 = numpy.array([[1.0], [-0.3]], d2)
    y = F.arctan2(x1, x2)
    assert y.dtype == numpy.result_type(d1, d2)
    numpy.testing.assert_allclose(y.array, numpy.arctan2(x1, x2), rtol=1e-6)
    if d1 == numpy.float16:
        return  # numeric differentiation of float16 inputs is too coarse
    rng = numpy.random.RandomState(0)
    gy = rng.uniform(-1, 1, y.shape).astype(y.dtype)
    ggs = (rng.uniform(-1, 1, x1.shape).astype(d1), rng.uniform(-1, 1, x2.shape).astype(d2))
    chainer.gradient_check.check_backward(F.arctan2, (x1, x2), gy, dtype=None, atol=1e-3, rtol=1e-3)
    chainer.gradient_check.check_double_backward(F.arctan2, (x1, x2), gy, ggs, atol=1e-3, rtol=1e-3)
    v1, v2 = chainer.Variable(x1), chainer.Variable(x2)
    g1, g2 = chainer.grad([F.arctan2(v1, v2)], [v1, v2], [chainer.Variable(gy)])
    assert (g1.dtype, g2.dtype) == (d1, d2)


@pytest.mark.parametrize('name', ['sin', 'cos'])
@pytest.mark.parametrize('seed', [0, 1])
def test_second_derivative_bitwise_as_chainer(name, seed):
    # Chainer's forms: sin'' is -sin(x) * gy * ggx, cos'' is -cos(x) * gy * ggx
    rng = numpy.random.RandomState(seed)
    x, gy, ggx = (rng.uniform(-3, 3, (4, 5)).astype(numpy.float32) for _ in range(3))
    xv = chainer.Variable(x)
    y = getattr(F, name)(xv)
    gx, = chainer.grad([y], [xv], [chainer.Variable(gy)], enable_double_backprop=True)
    g2, = chainer.grad([gx], [xv], [chainer.Variable(ggx)])
    d2 = -numpy.sin(x) if name == 'sin' else -numpy.cos(x)
    assert numpy.array_equal(g2.array, d2 * gy * ggx)


@pytest.mark.parametrize('name', ['arcsin', 'arccos', 'arctan'])
@pytest.mark.parametrize('seed', [0, 1])
def test_inverse_second_derivatives_bitwise_as_chainer(name, seed):
    # Chainer's forms for the gradient node's x: ggx * gy * x / (1 - x ** 2) ** 1.5,
    # -ggx * (gy * x) / (1 - x ** 2) ** 1.5, and with s = x ** 2,
    # -2 * gy * x * ggx / (s ** 2 + 2 * s + 1); for its gy (arctan) ggx / (s + 1)
    rng = numpy.random.RandomState(seed)
    x, gy, ggx = (rng.uniform(-0.9, 0.9, (4, 5)).astype(numpy.float32) for _ in range(3))
    xv, gyv = chainer.Variable(x), chainer.Variable(gy)
    gx, = chainer.grad([getattr(F, name)(xv)], [xv], [gyv], enable_double_backprop=True)
    g_x, g_gy = chainer.grad([gx], [xv, gyv], [chainer.Variable(ggx)])
    one, two, c = numpy.float32(1), numpy.float32(2), numpy.float32(1.5)
    if name == 'arcsin':
        ex = ggx * gy * x / ((one - x ** 2) ** c)
    elif name == 'arccos':
        ex = -ggx * (gy * x) / ((one - x ** 2) ** c)
    else:
        s = x ** 2
        ex = -two * gy * x * ggx / (s ** 2 + two * s + one)
        assert numpy.array_equal(g_gy.array, ggx / (s + one))
    assert numpy.array_equal(g_x.array, ex)


@pytest.mark.parametrize('name', ['arcsin', 'arccos', 'arctan'])
def test_inverse_gradient_builds_one_array(name):
    # gy * derivative(x) in one fresh array: the backward of a large input holds
    # no temporaries the size of x beside its result
    x = (numpy.random.RandomState(0).rand(256, 1024) * 1.8 - 0.9).astype(numpy.float32)
    v = chainer.Variable(x)
    y = getattr(F, name)(v)
    gy = numpy.ones_like(x)
    with traced_peak() as traced:
        gx, = chainer.grad([y], [v], [chainer.Variable(gy)])
    peak = traced.bytes
    assert peak < 1.2 * x.nbytes, peak
    derivative = {'arcsin': 1 / numpy.sqrt(1 - x * x), 'arccos': -1 / numpy.sqrt(1 - x * x),
                  'arctan': 1 / (1 + x * x)}[name]
    numpy.testing.assert_array_equal(gx.array, derivative)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_arctan2_second_derivatives_bitwise_as_chainer(dtype):
    # Chainer's Arctan2Grad: with s = x1 ** 2 + x2 ** 2, for x1
    # (-ggx1 * 2 * x1 * x2 + ggx2 * (x1 ** 2 - x2 ** 2)) * gy / s ** 2, for x2
    # (ggx1 * (x1 ** 2 - x2 ** 2) + ggx2 * (2 * x1 * x2)) * gy / s ** 2, for gy
    # (ggx1 * x2 - ggx2 * x1) / s
    rng = numpy.random.RandomState(0)
    x1, x2, gy, gg1, gg2 = (rng.standard_normal((3, 5)).astype(dtype) for _ in range(5))
    v1, v2, gv = chainer.Variable(x1), chainer.Variable(x2), chainer.Variable(gy)
    g1, g2 = chainer.grad([F.arctan2(v1, v2)], [v1, v2], [gv], enable_double_backprop=True)
    s = x1 ** 2 + x2 ** 2
    numpy.testing.assert_array_equal(g1.array, x2 / s * gy)
    numpy.testing.assert_array_equal(g2.array, -x1 / s * gy)
    h1, h2, hgy = chainer.grad([g1, g2], [v1, v2, gv],
                               [chainer.Variable(gg1), chainer.Variable(gg2)])
    d = x1 ** 2 - x2 ** 2
    numpy.testing.assert_array_equal(h1.array, (-gg1 * 2 * x1 * x2 + gg2 * d) * gy / s ** 2)
    numpy.testing.assert_array_equal(h2.array, (gg1 * d + gg2 * (2 * x1 * x2)) * gy / s ** 2)
    numpy.testing.assert_array_equal(hgy.array, (gg1 * x2 - gg2 * x1) / s)


def test_arctan2_second_derivatives_broadcast_and_of_one_gradient():
    # x2 broadcast over x1's rows; only gx1's gradient is taken (gx2's is None)
    rng = numpy.random.RandomState(1)
    x1 = rng.standard_normal((3, 5))
    x2 = rng.standard_normal((1, 5))
    gy, gg1 = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    v1, v2, gv = chainer.Variable(x1), chainer.Variable(x2), chainer.Variable(gy)
    g1, g2 = chainer.grad([F.arctan2(v1, v2)], [v1, v2], [gv], enable_double_backprop=True)
    assert g2.shape == (1, 5)
    h1, h2 = chainer.grad([g1], [v1, v2], [chainer.Variable(gg1)])
    s = x1 ** 2 + x2 ** 2
    numpy.testing.assert_allclose(h1.array, -gg1 * 2 * x1 * x2 * gy / s ** 2, rtol=1e-12)
    numpy.testing.assert_allclose(
        h2.array, (gg1 * (x1 ** 2 - x2 ** 2) * gy / s ** 2).sum(axis=0, keepdims=True),
        rtol=1e-12)
