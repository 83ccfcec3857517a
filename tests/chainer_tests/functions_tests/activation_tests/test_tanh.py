import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.activation.tanh import tanh
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}, {'use_cuda': True, 'use_cudnn': 'always'}]


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestTanh(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return tanh(inputs[0]),

    def forward_expected(self, inputs):
        return numpy.asarray(numpy.tanh(inputs[0]), dtype=self.dtype),


def test_zero_dim_is_array():
    y = tanh(numpy.array(0.5, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()


def test_integer_input():
    with pytest.raises(type_check.InvalidType):
        tanh(numpy.array([1], numpy.int32))


def test_third_order_gradient():
    x = chainer.Variable(numpy.array([0.3, -0.7]))
    y = tanh(x)
    gx, = chainer.grad([y], [x], grad_outputs=[numpy.ones(2)], enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x], grad_outputs=[numpy.ones(2)], enable_double_backprop=True)
    t = numpy.tanh(x.array)
    numpy.testing.assert_allclose(ggx.array, -2 * t * (1 - t * t))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gpu_grad_kernel_matches_numpy(monkeypatch, dtype):
    """TanhGrad's fused CuPy kernel (compiled for the host) against NumPy."""
    from chainer.functions.activation import tanh as tanh_module
    from chainer.functions.activation.tanh import TanhGrad
    from tests.chainer_tests import _host_kernels
    _host_kernels.gpu_array_type(monkeypatch, tanh_module)
    y = numpy.tanh(numpy.random.uniform(-2, 2, (3, 5))).astype(dtype)
    gy = numpy.random.uniform(-1, 1, y.shape).astype(dtype)
    expected, = TanhGrad().forward((y, gy))
    got, = TanhGrad().forward((_host_kernels.not_numpy(y), gy))
    assert _host_kernels.launched == ['rechainer_tanh_grad']
    assert got.dtype == dtype
    tol = 1e-3 if dtype == numpy.float16 else 1e-7
    numpy.testing.assert_allclose(got, expected, rtol=tol, atol=tol)


def test_numpy_subclass_stays_on_the_cpu():
    """A NumPy subclass is a CPU array: its gradient takes no GPU kernel."""
    class Sub(numpy.ndarray):
        pass

    x = chainer.Variable(numpy.array([1., -2., 3.], numpy.float32).view(Sub))
    y = tanh(x)
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_allclose(x.grad, 1 - numpy.tanh(x.array.view(numpy.ndarray)) ** 2,
                                  rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('y_shape,gy_shape,gy_dtype', [
    ((4, 3), (4, 3), None), ((64, 80), (64, 80), None), ((), (), None), ((0, 2), (0, 2), None),
    ((64, 80), (80,), None), ((64, 80), (64, 80), numpy.float64)])
def test_grad_forward_is_the_formula_bit_for_bit(dtype, y_shape, gy_shape, gy_dtype):
    """TanhGrad's forward (computed in place where it can) is ``gy * (1 - y * y)``,
    bit for bit, of the dtype and shape NumPy gives it; its inputs stay unchanged."""
    from chainer.functions.activation.tanh import TanhGrad
    rng = numpy.random.RandomState(0)
    y = numpy.tanh(rng.uniform(-2, 2, y_shape)).astype(dtype)
    gy = rng.uniform(-1, 1, gy_shape).astype(gy_dtype or dtype)
    y0, gy0 = y.copy(), gy.copy()
    expected = numpy.asarray(gy * (dtype(1) - y * y))
    got, = TanhGrad().forward((y, gy))
    assert type(got) is numpy.ndarray
    assert got.dtype == expected.dtype and got.shape == expected.shape
    assert got.tobytes() == expected.tobytes()
    assert y.tobytes() == y0.tobytes() and gy.tobytes() == gy0.tobytes()


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_double_backward_bitwise_as_chainer(seed):
    # Chainer's forms for the node gy * (1 - y * y): with t = y * ggx,
    # -2 * gy * t for y and ggx - y * t for gy, equal to the bit
    from chainer.functions.activation.tanh import TanhGrad
    rng = numpy.random.RandomState(seed)
    y, gy, ggx = (rng.uniform(-1, 1, (4, 5)).astype(numpy.float32) for _ in range(3))
    yv, gyv = chainer.Variable(y), chainer.Variable(gy)
    out, = TanhGrad().apply((yv, gyv))
    g_y, g_gy = chainer.grad([out], [yv, gyv], [chainer.Variable(ggx)])
    t = y * ggx
    assert numpy.array_equal(out.array, gy * (numpy.float32(1) - y * y))
    assert numpy.array_equal(g_y.array, numpy.float32(-2) * gy * t)
    assert numpy.array_equal(g_gy.array, ggx - y * t)


@pytest.mark.parametrize('requires', [(True, True), (True, False), (False, True)])
def test_gradient_of_tanh_grad_is_one_node_bitwise_as_chainer(requires):
    # TanhGrad's backward is one TanhGradGrad node, whichever of y and gy need a
    # gradient, with Chainer's forms bit for bit
    from chainer.functions.activation.tanh import TanhGrad, TanhGradGrad
    rng = numpy.random.RandomState(0)
    y, gy, ggx = (rng.uniform(-1, 1, (4, 5)).astype(numpy.float32) for _ in range(3))
    yv = chainer.Variable(y, requires_grad=requires[0])
    gyv = chainer.Variable(gy, requires_grad=requires[1])
    out, = TanhGrad().apply((yv, gyv))
    out.grad_var = chainer.Variable(ggx)
    out.backward(enable_double_backprop=True)
    t = y * ggx
    expected = (numpy.float32(-2) * gy * t, ggx - y * t)
    for v, want, req in zip((yv, gyv), expected, requires):
        if not req:
            assert v.grad_var is None
            continue
        assert isinstance(v.grad_var.creator, TanhGradGrad)
        assert v.grad.tobytes() == want.tobytes()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('indexes', [(0, 1), (0,), (1,)])
@pytest.mark.parametrize('shape', [(3, 2), ()])
def test_tanh_grad_grad_derivatives(dtype, indexes, shape):
    """TanhGradGrad (third order of tanh) differentiated once and twice more."""
    from chainer import gradient_check
    from chainer.functions.activation.tanh import TanhGradGrad
    rng = numpy.random.RandomState(1)

    def draw():
        return numpy.asarray(rng.uniform(-1, 1, shape)).astype(dtype)

    y, gy, g = numpy.asarray(numpy.tanh(draw())), draw(), draw()
    outs = TanhGradGrad(indexes).apply((y, gy, g))
    assert [o.dtype for o in outs] == [dtype] * len(indexes)
    assert all(type(o.array) is numpy.ndarray and o.shape == shape for o in outs)
    t = y * g
    for o, i in zip(outs, indexes):
        want = dtype(-2) * gy * t if i == 0 else g - y * t
        assert o.array.tobytes() == numpy.asarray(want).tobytes()
    gouts = tuple(draw() for _ in indexes)
    ggins = (draw(), draw(), draw())
    opts = ({'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2} if dtype == numpy.float16
            else {'atol': 1e-4, 'rtol': 1e-3})

    def f(*xs):
        return TanhGradGrad(indexes).apply(xs)
    gradient_check.check_backward(f, (y, gy, g), gouts, dtype=numpy.float64, **opts)
    gradient_check.check_double_backward(f, (y, gy, g), gouts, ggins, dtype=numpy.float64,
                                         **opts)


def test_tanh_grad_grad_bad_inputs():
    from chainer.functions.activation.tanh import TanhGradGrad
    a = numpy.ones((2, 3), numpy.float32)
    for xs in [(a, a, a[0]), (a, a, a.astype(numpy.float64)), (a.astype(numpy.int32),) * 3]:
        with pytest.raises(type_check.InvalidType):
            TanhGradGrad((0, 1)).apply(xs)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gpu_grad_grad_kernels_match_numpy(monkeypatch, dtype):
    """TanhGradGrad's fused CuPy kernels (compiled for the host) against NumPy."""
    from chainer.functions.activation import tanh as tanh_module
    from chainer.functions.activation.tanh import TanhGradGrad
    from tests.chainer_tests import _host_kernels
    _host_kernels.gpu_array_type(monkeypatch, tanh_module)
    rng = numpy.random.RandomState(2)
    xs = (numpy.tanh(rng.uniform(-2, 2, (3, 5))).astype(dtype),
          rng.uniform(-1, 1, (3, 5)).astype(dtype), rng.uniform(-1, 1, (3, 5)).astype(dtype))
    for indexes in [(0, 1), (0,), (1,)]:
        expected = TanhGradGrad(indexes).forward(xs)
        got = TanhGradGrad(indexes).forward(tuple(_host_kernels.not_numpy(x) for x in xs))
        assert len(got) == len(indexes)
        for e, g in zip(expected, got):
            assert g.dtype == dtype
            # the same operations in the same order
            numpy.testing.assert_array_equal(g, e)
    assert _host_kernels.launched == ['rechainer_tanh_grad_grad_both',
                                      'rechainer_tanh_grad_grad_y',
                                      'rechainer_tanh_grad_grad_gy']
