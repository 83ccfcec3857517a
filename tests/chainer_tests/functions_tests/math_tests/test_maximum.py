import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 2)), ((2, 3, 4), (3, 1)), ((), (2,)), ((3,), ()), ((0, 2), (2,))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'func': ['maximum', 'minimum'],
}))
class TestMaximumMinimum(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        s1, s2 = self.shapes
        # Keep the two apart: the kink is at x1 == x2.
        while True:
            x1 = numpy.random.uniform(-1, 1, s1).astype(self.dtype)
            x2 = numpy.random.uniform(-1, 1, s2).astype(self.dtype)
            b1, b2 = numpy.broadcast_arrays(x1, x2)
            if b1.size == 0 or numpy.abs(b1 - b2).min() > 0.1:
                return x1, x2

    def forward(self, inputs, device):
        return getattr(F, self.func)(*inputs),

    def forward_expected(self, inputs):
        return numpy.asarray(getattr(numpy, self.func)(*inputs)).astype(self.dtype),


@pytest.mark.parametrize('func', [F.maximum, F.minimum])
def test_ties_go_to_first(func):
    x1 = chainer.Variable(numpy.array([1.0, 2.0], numpy.float32))
    x2 = chainer.Variable(numpy.array([1.0, 2.0], numpy.float32))
    y = func(x1, x2)
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x1.grad, [1, 1])
    numpy.testing.assert_array_equal(x2.grad, [0, 0])


def test_nan_positions_route_the_gradient_as_chainer():
    # maximum: x2 gets it where either is NaN; minimum: neither does (Chainer's masks
    # x1 >= x2 / not, and x1 <= x2 / x1 > x2).
    nan = numpy.nan
    a = numpy.array([1, nan, 2, nan, 3], numpy.float32)
    b = numpy.array([1, 2, nan, nan, 0], numpy.float32)
    expected = {'maximum': ([1, 0, 0, 0, 1], [0, 1, 1, 1, 0]),
                'minimum': ([1, 0, 0, 0, 0], [0, 0, 0, 0, 1])}
    for name, (g1, g2) in expected.items():
        x1, x2 = chainer.Variable(a), chainer.Variable(b)
        gy = chainer.Variable(numpy.ones(5, numpy.float32))
        y = getattr(F, name)(x1, x2)
        gx1, gx2 = chainer.grad([y], [x1, x2], grad_outputs=[gy], enable_double_backprop=True)
        numpy.testing.assert_array_equal(gx1.array, g1)
        numpy.testing.assert_array_equal(gx2.array, g2)
        # the gradient's own gradient by gy routes the same way
        ggy, = chainer.grad([gx2], [gy], grad_outputs=[numpy.ones(5, numpy.float32)])
        numpy.testing.assert_array_equal(ggy.array, g2)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_minimum_gradient_is_gy_times_the_masks_as_chainer(dtype):
    # Chainer's CPU minimum: gy * (x1 <= x2) and gy * (x1 > x2): -0.0 where a
    # negative gy is masked (maximum's numpy.where gives +0.0)
    rng = numpy.random.RandomState(0)
    x1, x2, gy = (rng.standard_normal((3, 5)).astype(dtype) for _ in range(3))
    v1, v2 = chainer.Variable(x1), chainer.Variable(x2)
    g1, g2 = chainer.grad([F.minimum(v1, v2)], [v1, v2], [chainer.Variable(gy)])
    for got, expected in ((g1, gy * (x1 <= x2)), (g2, gy * (x1 > x2))):
        assert got.dtype == dtype
        assert got.array.tobytes() == expected.tobytes()


def test_broadcast_gradient_sum():
    x1 = chainer.Variable(numpy.array([[0.0, 3.0], [5.0, -1.0]], numpy.float32))
    x2 = chainer.Variable(numpy.array([1.0, 2.0], numpy.float32))
    y = F.maximum(x1, x2)
    y.grad = numpy.ones((2, 2), numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x1.grad, [[0, 1], [1, 0]])
    numpy.testing.assert_array_equal(x2.grad, [1, 1])


@pytest.mark.parametrize('func', [F.maximum, F.minimum])
def test_bad_inputs(func):
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        func(x, x.astype(numpy.float64))
    # Chainer states the condition with x1 first
    assert 'Expect: x1.dtype == x2.dtype\nActual: float32 != float64' in str(e.value)
    with pytest.raises(type_check.InvalidType):
        func(x, numpy.ones((4,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        func(x.astype(numpy.int32), x.astype(numpy.int32))
