import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests.functions_tests.normalization_tests import _util


@testing.parameterize(*(
    testing.product({
        'shape': [(4, 3)],
        'axis': [1],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [{'shape': (2, 3, 4), 'axis': 2, 'dtype': numpy.float64},
          {'shape': (2, 3, 4), 'axis': (0, 2), 'dtype': numpy.float64},
          {'shape': (5,), 'axis': 0, 'dtype': numpy.float32},
          {'shape': (0, 3), 'axis': 1, 'dtype': numpy.float32}]
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestNormalize(testing.FunctionTestCase):

    eps = 1e-5

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.normalize(inputs[0], eps=self.eps, axis=self.axis),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        norm = numpy.sqrt((x * x).sum(axis=self.axis, keepdims=True)) + self.eps
        return (x / norm).astype(self.dtype),


def test_zero_vector_finite_gradients():
    x = numpy.random.randn(3, 4)
    x[1] = 0
    y = F.normalize(x)
    assert (y.array[1] == 0).all()
    v = chainer.Variable(x)
    gx, = chainer.grad([F.sum(F.normalize(v) ** 2)], [v], enable_double_backprop=True)
    ggx, = chainer.grad([F.sum(gx * gx)], [v])
    assert numpy.isfinite(gx.array).all() and numpy.isfinite(ggx.array).all()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('axis', [1, (0, 2)])
def test_one_node_matches_its_composition(dtype, axis):
    from chainer.functions.normalization import l2_normalization as l2
    x = numpy.random.RandomState(1).randn(3, 4, 2).astype(dtype)
    if dtype != numpy.float16:  # gy / eps overflows float16 there
        x[1] = 0
    gy = numpy.random.RandomState(2).randn(3, 4, 2).astype(dtype)
    axes = (axis,) if isinstance(axis, int) else axis
    results = []
    for fn in (lambda v: F.normalize(v, axis=axis), lambda v: l2._normalize(v, 1e-5, axes)):
        v = chainer.Variable(x)
        y = fn(v)
        gx, = chainer.grad([y], [v], [chainer.Variable(gy)], enable_double_backprop=True)
        ggx, = chainer.grad([F.sum(gx * gx)], [v])
        results.append((y, gx.array, ggx.array))
    (y, gx, ggx), (y2, gx2, ggx2) = results
    assert isinstance(y.creator, l2.NormalizeL2)
    assert y.dtype == dtype and gx.dtype == dtype
    numpy.testing.assert_array_equal(y.array, y2.array)
    tol = {numpy.float16: 1e-2}.get(dtype, 1e-5)
    numpy.testing.assert_allclose(gx, gx2, rtol=tol, atol=tol)
    numpy.testing.assert_allclose(ggx, ggx2, rtol=tol, atol=tol * 10)


def test_bad_inputs():
    with pytest.raises(type_check.InvalidType):
        F.normalize(numpy.zeros((2, 3), numpy.int32))
    with pytest.raises(type_check.InvalidType):
        F.normalize(numpy.zeros((2, 3), numpy.float32), axis=2)


@pytest.mark.parametrize('axis', [2, -3, (0, 2), 1])
def test_normalize_axis_out_of_range_is_numpys_axis_error(axis):
    # Chainer let NumPy raise AxisError (a ValueError and an IndexError).
    x = numpy.zeros((2, 3) if axis != 1 else (3,), numpy.float32)
    with pytest.raises(numpy.exceptions.AxisError):
        F.normalize(x, axis=axis)
    with pytest.raises(type_check.InvalidType):
        F.normalize(x, axis=axis)


@pytest.mark.parametrize('bad', [[[1.0, 2.0]], 1.5, numpy.float32(1.5)])
def test_normalize_non_array_raises_type_error(bad):
    with pytest.raises(TypeError):
        F.normalize(bad)


@pytest.mark.parametrize('axis, expected', [(1, (1,)), (numpy.int64(2), (2,)),
                                            ((0, 2), (0, 2)), ([0, 1], (0, 1))])
def test_node_keeps_axis_as_a_tuple(axis, expected):
    # Chainer stored an int axis as a 1-tuple; graph tools read it off the node.
    x = numpy.random.RandomState(0).randn(2, 3, 4).astype(numpy.float32)
    y = F.normalize(x, axis=axis)
    assert y.creator.axis == expected
    numpy.testing.assert_allclose(
        y.array, x / (numpy.sqrt((x * x).sum(axis=expected, keepdims=True)) + 1e-5), rtol=1e-6)


def test_check_messages_are_chainers():
    with pytest.raises(type_check.InvalidType) as e:
        F.normalize(numpy.zeros((2, 3), numpy.bool_))
    assert str(e.value) == ('\nInvalid operation is performed in: NormalizeL2 (Forward)\n\n'
                            'Expect: in_types[0].dtype.kind == f\nActual: b != f')
    # NumPy's AxisError, with its text, as in Chainer.
    with pytest.raises(numpy.exceptions.AxisError,
                       match='^axis 1 is out of bounds for array of dimension 1$'):
        F.normalize(numpy.zeros(3, numpy.float32))
    with pytest.raises(TypeError, match='a function input must be'):
        F.normalize([1.0, 2.0])


@pytest.mark.parametrize('axis', [1, (1, 2), 0])
@pytest.mark.parametrize('seed', [0, 1])
def test_gradient_bitwise_as_chainer(axis, seed):
    # Chainer's form: with r = sqrt(sum(x**2)) and n = r + eps,
    # gx = (gy * n - (sum(x * gy) / r) * x) / n**2
    rng = numpy.random.RandomState(seed)
    x, gy = (rng.uniform(-1, 1, (3, 4, 5)).astype(numpy.float32) for _ in range(2))
    xv = chainer.Variable(x)
    y = F.normalize(xv, axis=axis)
    y.grad = gy
    y.backward()
    r = numpy.sqrt(numpy.sum(numpy.square(x), axis=axis, keepdims=True))
    n = r + numpy.float32(1e-5)
    dot = numpy.sum(x * gy, axis=axis, keepdims=True) / r
    assert numpy.array_equal(xv.grad, (gy * n - dot * x) / n ** 2)


def test_axis_none_normalizes_over_all_axes():
    # Chainer summed with axis=None, over the whole array
    a = numpy.random.RandomState(0).randn(2, 3).astype(numpy.float32)
    x, x2 = chainer.Variable(a), chainer.Variable(a.copy())
    y, y2 = F.normalize(x, axis=None), F.normalize(x2, axis=(0, 1))
    assert y.dtype == numpy.float32 and y.creator.axis is None
    n = numpy.sqrt((a.astype(numpy.float64) ** 2).sum()) + 1e-5
    numpy.testing.assert_allclose(y.array, a / n, rtol=1e-6)
    numpy.testing.assert_array_equal(y.array, y2.array)
    F.sum(y * y).backward()
    F.sum(y2 * y2).backward()
    numpy.testing.assert_array_equal(x.grad, x2.grad)


@pytest.mark.parametrize('shape, axis', [((1024, 512), 1), ((64, 32, 16, 16), (1, 2))])
def test_float16_goes_through_float32_a_block_of_samples_at_a_time(monkeypatch, shape, axis):
    # Norms that leave the first axis out are taken a block of samples at a time in
    # float32, forward and backward, with the bits of whole float32 copies.
    from chainer.utils import array as array_utils
    rs = numpy.random.RandomState(0)
    x = rs.randn(*shape).astype(numpy.float16)  # 1 MiB
    x[:3] = 0  # zero vectors (with zero gy: gy / eps overflows float16)
    gy = rs.randn(*shape).astype(numpy.float16)
    gy[:3] = 0

    def run():
        v = chainer.Variable(x)
        y = F.normalize(v, axis=axis)
        y.grad = gy
        return y.array, v, peak_bytes(y.backward)

    with chainer.no_backprop_mode():
        assert peak_bytes(lambda: F.normalize(x, axis=axis)) < 2 * x.nbytes
    y, v, peak = run()
    assert peak < 3 * x.nbytes
    monkeypatch.setattr(array_utils, '_COMPUTE_BLOCK', 1 << 40)
    y_whole, v_whole, _ = run()
    assert y.tobytes() == y_whole.tobytes()
    assert v.grad.tobytes() == v_whole.grad.tobytes()
