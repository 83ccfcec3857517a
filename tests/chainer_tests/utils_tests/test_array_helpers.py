"""The shared array helpers of chainer.utils.array that the hot paths use."""
import numpy
import pytest

from chainer.utils import array as array_utils


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(), (1,), (3, 5), (0, 4), (2, 3, 4)])
def test_add_scaled_matches_numpy(dtype, shape):
    rng = numpy.random.RandomState(0)
    y = rng.uniform(-1, 1, shape).astype(dtype)
    x = rng.uniform(-1, 1, shape).astype(dtype)
    expected = y + x * dtype(-0.01)
    before = y.ctypes.data
    array_utils.add_scaled(y, -0.01, x)
    assert y.dtype == dtype and y.shape == shape
    assert y.ctypes.data == before  # in place
    tol = {numpy.float16: 1e-3, numpy.float32: 1e-6, numpy.float64: 1e-14}[dtype]
    numpy.testing.assert_allclose(y, expected, rtol=tol, atol=tol)


def test_add_scaled_non_contiguous_and_views():
    base = numpy.arange(24, dtype=numpy.float32).reshape(4, 6)
    y = base[:, ::2]  # a strided view: NumPy's path, still in place
    x = numpy.ones((4, 3), numpy.float32)
    array_utils.add_scaled(y, 2.0, x)
    numpy.testing.assert_array_equal(base[:, ::2], numpy.arange(24).reshape(4, 6)[:, ::2] + 2)
    numpy.testing.assert_array_equal(base[:, 1::2], numpy.arange(24).reshape(4, 6)[:, 1::2])

    f = numpy.asfortranarray(numpy.zeros((3, 4), numpy.float64))
    array_utils.add_scaled(f, 1.5, numpy.ones((3, 4)))
    numpy.testing.assert_array_equal(f, numpy.full((3, 4), 1.5))

    flat = numpy.zeros(10, numpy.float32)
    view = flat[2:8].reshape(2, 3)  # a C-contiguous view: the BLAS path writes through
    array_utils.add_scaled(view, -1.0, numpy.ones((2, 3), numpy.float32))
    numpy.testing.assert_array_equal(flat, [0, 0, -1, -1, -1, -1, -1, -1, 0, 0])


def test_add_scaled_rounds_like_fma():
    # One rounding of y + a * x: never farther from the exact value than NumPy's two.
    rng = numpy.random.RandomState(1)
    y = rng.uniform(-1, 1, 1000).astype(numpy.float32)
    x = rng.uniform(-1, 1, 1000).astype(numpy.float32)
    exact = y.astype(numpy.float64) + numpy.float64(numpy.float32(0.3)) * x.astype(numpy.float64)
    two_roundings = y + x * numpy.float32(0.3)
    array_utils.add_scaled(y, 0.3, x)
    assert (numpy.abs(y - exact) <= numpy.abs(two_roundings - exact) + 1e-7).all()


def test_add_scaled_mismatched_shapes_raise():
    with pytest.raises(ValueError):
        array_utils.add_scaled(numpy.zeros((2, 3), numpy.float32), 1.0,
                               numpy.zeros((3, 2), numpy.float32))


@pytest.mark.parametrize('n, step', [(0, 1), (1, 1), (5, 1), (4, 7)])
def test_row_starts(n, step):
    starts = array_utils.row_starts(n, step)
    numpy.testing.assert_array_equal(starts, numpy.arange(0, n * step, step))
    assert array_utils.row_starts(n, step) is starts  # cached
    with pytest.raises(ValueError):
        starts[...] = 1  # shared, so read-only


def test_log_softmax_at_picks_per_row():
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-5, 5, (6, 4)).astype(numpy.float32)
    t = numpy.array([0, 3, 1, 2, 3, 0], numpy.int32)
    picked, y = array_utils.log_softmax_at(x, t, with_softmax=True)
    lse = numpy.log(numpy.exp(x.astype(numpy.float64)).sum(axis=1))
    numpy.testing.assert_allclose(picked, x[numpy.arange(6), t] - lse, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(y.sum(axis=1), numpy.ones(6), rtol=1e-6)
    with pytest.raises(IndexError):
        array_utils.log_softmax_at(x, numpy.array([0, 4, 0, 0, 0, 0], numpy.int32))


def test_softmax_shift_large_spread_rows():
    # Rows far apart (beyond what a single global shift can handle) stay finite.
    x = numpy.array([[1000.0, 999.0], [-1000.0, -1001.0]], numpy.float32)
    y = array_utils.softmax(x)
    numpy.testing.assert_allclose(y, [[0.7310586, 0.2689414]] * 2, rtol=1e-6)
    x3 = numpy.stack([x, x], axis=2)  # an inner axis: the global/strided choice
    numpy.testing.assert_allclose(array_utils.softmax(x3, axis=1)[..., 0], y, rtol=1e-6)
