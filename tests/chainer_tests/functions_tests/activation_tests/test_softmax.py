import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _softmax(x, axis):
    x = x.astype(numpy.float64)
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


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
class TestSoftmax(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axis = self.shape_axis
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.softmax(inputs[0], axis=self.axis),

    def forward_expected(self, inputs):
        return numpy.asarray(_softmax(inputs[0], self.axis), dtype=self.dtype),


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_large_inputs_are_stable(dtype):
    x = numpy.array([[1000.0, 0.0, -1000.0], [10.0, 10.0, 10.0]])
    x = x.clip(numpy.finfo(dtype).min, numpy.finfo(dtype).max).astype(dtype)
    with numpy.errstate(over='raise', invalid='raise'):
        y = F.softmax(x)
    assert y.dtype == dtype
    numpy.testing.assert_allclose(y.array.astype(numpy.float64),
                                  [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-3)


def test_default_axis_is_1():
    x = numpy.random.uniform(-1, 1, (2, 3, 4)).astype(numpy.float32)
    numpy.testing.assert_allclose(F.softmax(x).array, _softmax(x, 1), rtol=1e-5)


@pytest.mark.parametrize('shape,axis', [((2, 3), 2), ((2, 3), -3), ((), 0), ((3,), 1)])
def test_axis_out_of_range(shape, axis):
    with pytest.raises(type_check.InvalidType):
        F.softmax(numpy.zeros(shape, numpy.float32), axis=axis)


def test_axis_type():
    with pytest.raises(TypeError):
        F.softmax(numpy.zeros((2, 3), numpy.float32), axis=1.0)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.softmax(numpy.zeros((2, 3), numpy.int32))


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_gradients_bitwise_as_chainer(seed):
    # Chainer's CPU forms: gx = y * gy - y * sum(y * gy); for gx's node, with
    # ga = ggx - sum(ggx * y): ga * gy - ggx * sum(y * gy) and ga * y
    import chainer
    from chainer.functions.activation.softmax import _SoftmaxGrad
    rng = numpy.random.RandomState(seed)
    x, gy, ggx = (rng.uniform(-2, 2, (3, 7)).astype(numpy.float32) for _ in range(3))
    xv = chainer.Variable(x)
    y = F.softmax(xv)
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    ey = e / e.sum(axis=1, keepdims=True)
    assert numpy.array_equal(y.array, ey)
    gx, = chainer.grad([y], [xv], [chainer.Variable(gy)])
    s = (ey * gy).sum(axis=1, keepdims=True)
    assert numpy.array_equal(gx.array, ey * gy - ey * s)
    yv, gyv = chainer.Variable(ey), chainer.Variable(gy)
    out, = _SoftmaxGrad(1).apply((yv, gyv))
    g_y, g_gy = chainer.grad([out], [yv, gyv], [chainer.Variable(ggx)])
    ga = ggx - (ggx * ey).sum(axis=1, keepdims=True)
    assert numpy.array_equal(g_y.array, ga * gy - ggx * s)
    assert numpy.array_equal(g_gy.array, ga * ey)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape, axis', [((2, 3, 7), 1), ((2, 3, 7), 0), ((4, 8, 8), 1)])
def test_small_inner_axis_bitwise_as_chainer(shape, axis, dtype):
    # small arrays take Chainer's shift, the maximum along the axis (a global
    # maximum gave other bits)
    x = numpy.random.RandomState(3).standard_normal(shape).astype(dtype)
    e = numpy.exp(x - x.max(axis=axis, keepdims=True))
    numpy.testing.assert_array_equal(F.softmax(x, axis=axis).array,
                                     e / e.sum(axis=axis, keepdims=True))


@pytest.mark.parametrize('func', [F.softmax, F.log_softmax])
def test_axis_may_be_a_0d_integer_array(func):
    # Chainer passed the axis on to NumPy, which takes a 0-d integer array
    x = numpy.random.RandomState(0).randn(2, 3).astype(numpy.float32)
    numpy.testing.assert_array_equal(func(x, axis=numpy.array(0)).array, func(x, axis=0).array)
    with pytest.raises(TypeError):
        func(x, axis=numpy.array([0]))


def blocked_bitwise(monkeypatch, function, shape, axis, dtype):
    """``function(x, axis)`` and its gradient, on arrays large enough to go block by
    block (patched sizes) and on whole arrays: the same bits, special values included."""
    import chainer
    from chainer.utils import array as array_utils
    rng = numpy.random.RandomState(5)
    x = (rng.randn(*shape) * 3).astype(dtype)
    x.reshape(-1)[[3, 11, 20, 27]] = [numpy.inf, -numpy.inf, numpy.nan, -0.0]
    gy = rng.randn(*shape).astype(dtype)

    def run():
        xv = chainer.Variable(x.copy())
        y = function(xv, axis)
        y.grad = gy.copy()
        y.backward()
        return [(a.dtype, a.shape, a.tobytes()) for a in (y.array, xv.grad)]

    with numpy.errstate(all='ignore'):
        monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 1 << 62)
        expected = run()
        monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 0)
        monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 16)
        assert array_utils.softmax_blocks(axis, x, gy) is not None
        got = run()
    assert got == expected


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape, axis', [((9, 8), 1), ((5, 4, 6), 1), ((5, 4, 6), -1),
                                         ((4, 6, 300), 1)])
def test_blocked_bitwise(monkeypatch, shape, axis, dtype):
    blocked_bitwise(monkeypatch, F.softmax, shape, axis, dtype)


def test_float16_builds_in_its_float32_copies():
    # The softmax and its gradient are built in float16's float32 copies of y and
    # gy, not in more float32 arrays beside them.
    rs = numpy.random.RandomState(0)
    x = rs.randn(512, 1024).astype(numpy.float16)  # 1 MiB, below the blocked size
    v = chainer.Variable(x)
    with chainer.no_backprop_mode():
        assert peak_bytes(lambda: F.softmax(x)) < 3.3 * x.nbytes
    y = F.softmax(v)
    gy = rs.randn(*x.shape).astype(numpy.float16)
    y.grad = gy
    assert peak_bytes(y.backward) < 5.5 * x.nbytes
    yc = y.array.astype(numpy.float32)
    gx = yc * gy.astype(numpy.float32)
    gx -= yc * gx.sum(axis=1, keepdims=True)
    numpy.testing.assert_array_equal(v.grad, gx.astype(numpy.float16))



@pytest.mark.parametrize('function', [F.softmax, F.log_softmax])
@pytest.mark.parametrize('shape, axis', [((1024, 512), 1), ((256, 64, 32), 1)])
def test_float16_large_reads_x_in_float32_blocks(monkeypatch, function, shape, axis):
    # A large float16 input is read block by block into float32 and each block cast
    # into the float16 result (no whole float32 copy, no float32 result), and so is
    # its gradient; the bits are those of the whole arrays' float32 copies. The
    # spread of x is under 80: (256, 64, 32) takes the global maximum as its shift.
    from chainer.utils import array as array_utils
    rs = numpy.random.RandomState(0)
    x = (rs.randn(*shape) * 2).astype(numpy.float16)  # 1 MiB
    gy = rs.randn(*shape).astype(numpy.float16)

    def run():
        v = chainer.Variable(x)
        y = function(v, axis)
        y.grad = gy
        return y, v, peak_bytes(y.backward)

    with chainer.no_backprop_mode():
        assert peak_bytes(lambda: function(x, axis)) < 2.2 * x.nbytes
    y, v, peak = run()
    assert peak < 2 * x.nbytes
    monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 1 << 62)
    y_whole, v_whole, _ = run()
    assert y.array.tobytes() == y_whole.array.tobytes()
    assert v.grad.tobytes() == v_whole.grad.tobytes()


@pytest.mark.parametrize('shape', [(8, 10000), (64, 10000)])  # whole, block by block
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_softmax_of_long_rows_normalized_in_numpy1_order(shape, dtype):
    x = long_values(shape, dtype, spread=1.0)
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    numpy.testing.assert_array_equal(F.softmax(x).array, e / numpy1_sum(e, -1, True))
