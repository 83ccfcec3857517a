"""The shared array helpers of chainer.utils.array that the hot paths use."""
import warnings

import numpy
import pytest

import chainer
from chainer.utils import array as array_utils
from tests.chainer_tests._fused_sums import assert_same_sums
from tests.chainer_tests._memory import traced_peak
from tests.chainer_tests._numpy1_sums import long_values, numpy1_row_sums


@pytest.mark.parametrize('n, step', [(0, 1), (1, 1), (5, 1), (4, 7)])
def test_row_starts(n, step):
    starts = array_utils.row_starts(n, step)
    numpy.testing.assert_array_equal(starts, numpy.arange(0, n * step, step))
    assert array_utils.row_starts(n, step) is starts  # cached
    with pytest.raises(ValueError):
        starts[...] = 1  # shared, so read-only


def test_row_starts_cache_is_bounded_in_entries():
    # Batch sizes are user input (variable-length batches): the cache holds at
    # most max_elements indices and max_keys arrays whatever sizes come.
    cache = array_utils._ROW_STARTS
    limit = cache.max_elements
    for n in range(limit // 8, limit // 8 + 40):
        starts = array_utils.row_starts(n, 3)
        assert starts.shape == (n,) and starts[-1] == 3 * (n - 1)
        held = sum(a.size for a in cache.arrays.values())
        assert held <= limit and held == cache.elements
    assert len(cache.arrays) <= cache.max_keys
    big = array_utils.row_starts(limit, 1)
    assert big.size == limit and not big.flags.writeable
    assert all(a is not big for a in cache.arrays.values())
    for n in range(200):
        array_utils.row_starts(n, 1)
    assert len(cache.arrays) <= cache.max_keys


def test_log_softmax_at_picks_per_row():
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-5, 5, (6, 4)).astype(numpy.float32)
    t = numpy.array([0, 3, 1, 2, 3, 0], numpy.int32)
    picked, log_z = array_utils.log_softmax_at(x, t)
    lse = numpy.log(numpy.exp(x.astype(numpy.float64)).sum(axis=1))
    numpy.testing.assert_allclose(picked, x[numpy.arange(6), t] - lse, rtol=1e-5, atol=1e-6)
    assert log_z.shape == (6, 1)
    numpy.testing.assert_allclose(log_z[:, 0], lse, rtol=1e-6)
    with pytest.raises(IndexError):
        array_utils.log_softmax_at(x, numpy.array([0, 4, 0, 0, 0, 0], numpy.int32))


def test_softmax_shift_large_spread_rows():
    # Rows far apart (beyond what a single global shift can handle) stay finite.
    x = numpy.array([[1000.0, 999.0], [-1000.0, -1001.0]], numpy.float32)
    y = array_utils.softmax(x)
    numpy.testing.assert_allclose(y, [[0.7310586, 0.2689414]] * 2, rtol=1e-6)
    x3 = numpy.stack([x, x], axis=2)  # an inner axis: the global/strided choice
    numpy.testing.assert_allclose(array_utils.softmax(x3, axis=1)[..., 0], y, rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.int32, numpy.int64, numpy.uint8])
@pytest.mark.parametrize('ignore', [None, -1, 3])
@pytest.mark.parametrize('low', [0, -5])
def test_gpu_range_counts_match_numpy(monkeypatch, dtype, ignore, low):
    """The one-kernel count behind check_index_range on CuPy (compiled for the host)."""
    from chainer.utils import array as array_utils
    from tests.chainer_tests import _host_kernels
    _host_kernels.route(monkeypatch)
    index = numpy.array([0, 4, 5, -1, 3, -6, 7, 3, 200], numpy.int64)
    if dtype == numpy.uint8:
        index = index[index >= 0]
    index = index.astype(dtype)
    n_bad, n_ignored = array_utils._gpu_range_counts(index, low, 5, ignore)
    ignored = (index == ignore) if ignore is not None else numpy.zeros(index.shape, bool)
    bad = ((index < low) | (index >= 5)) & ~ignored
    assert (n_bad, n_ignored) == (int(bad.sum()), int(ignored.sum()))
    assert _host_kernels.launched == ['rechainer_index_range']


@pytest.mark.parametrize('shape,axis', [((4, 7), 1), ((4, 7), 0), ((3, 4, 5), 1),
                                        ((3, 4, 5), -1)])
def test_softmax_stats(monkeypatch, shape, axis):
    from chainer.utils import array as array_utils
    from tests.chainer_tests import _host_kernels
    _host_kernels.route(monkeypatch)
    for dtype in (numpy.float16, numpy.float32, numpy.float64):
        x = numpy.random.uniform(-30, 30, shape).astype(dtype)
        m, s = array_utils.softmax_stats(x, axis)
        kept = list(shape)
        kept[axis] = 1
        assert m.shape == s.shape == tuple(kept)
        assert m.dtype == s.dtype == array_utils.compute_dtype(dtype)
        x64 = x.astype(numpy.float64)
        numpy.testing.assert_array_equal(m, x64.max(axis=axis, keepdims=True))
        numpy.testing.assert_allclose(
            s, numpy.exp(x64 - m).sum(axis=axis, keepdims=True), rtol=1e-6)


_SUM_CASES = [
    ((5, 3), 0, False), ((5, 3), 0, True), ((5, 3), (0,), False), ((5, 3), -2, False),
    ((5, 3, 4), 0, False), ((5, 3, 4), 0, True), ((5, 3, 4), (0, 1), False),
    ((5, 3, 4), (1, 0), True), ((5, 3, 4), 1, False), ((5, 3, 4), None, False),
    ((5, 3), (0, 1), False), ((0, 3), 0, False), ((5, 1), 0, False),
]


@pytest.mark.gpu
@pytest.mark.parametrize('shape, axis, keepdims', _SUM_CASES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64, numpy.int32])
def test_sum_matches_numpy_on_cupy(cupy, shape, axis, keepdims, dtype):
    """Leading-axis sums of float32/64 run as a matrix-vector product on CuPy; the
    result has NumPy's shape and dtype for every axis and keepdims."""
    x = numpy.random.RandomState(0).uniform(-1, 1, shape).astype(dtype)
    for a in (x, x[:, ::-1]):  # C-contiguous and not
        y = array_utils.sum(cupy.asarray(a), axis=axis, keepdims=keepdims)
        want = a.sum(axis=axis, keepdims=keepdims)
        assert y.shape == want.shape and y.dtype == want.dtype
        tol = 1e-2 if dtype == numpy.float16 else 1e-5
        numpy.testing.assert_allclose(cupy.asnumpy(y), want, rtol=tol, atol=tol)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape, axis', [
    ((5,), (0,)), ((4, 3), (0,)), ((4, 3), (1,)), ((4, 3), (0, 1)),
    ((2, 3, 4, 5), (0, 2, 3)), ((2, 3, 4), ()), ((0, 3), (0,)), ((3, 0), (0,)), ((), ()),
    # large enough for the einsum path
    ((64, 8, 9), (0, 2)), ((70, 64), (0, 1)), ((4096,), (0,)), ((4, 1100), ())])
def test_sum_of_products_is_sum_of_the_product(dtype, shape, axis):
    rng = numpy.random.default_rng(0)
    a = rng.uniform(-1, 1, shape).astype(dtype)
    b = rng.uniform(-1, 1, shape).astype(dtype)
    expected = (a * b).sum(axis=axis)
    got = array_utils.sum_of_products(a, b, axis)
    assert isinstance(got, numpy.ndarray)  # 0-d results stay arrays
    assert got.dtype == expected.dtype and got.shape == expected.shape
    tol = 1e-2 if dtype == numpy.float16 else 1e-6
    numpy.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    kept = array_utils.sum_of_products(a, b, axis, keepdims=True)
    assert kept.shape == (a * b).sum(axis=axis, keepdims=True).shape
    numpy.testing.assert_allclose(kept.reshape(got.shape), got, rtol=1e-6, atol=1e-6)


def test_sum_of_products_of_strided_views():
    a = numpy.random.default_rng(0).uniform(-1, 1, (2, 3, 2048)).astype(
        numpy.float32)[:, ::2, ::-1]
    b = numpy.ones((2, 4 * 512, 3), numpy.float32).transpose(0, 2, 1)[:, :2]
    assert a.size >= 4096
    numpy.testing.assert_allclose(array_utils.sum_of_products(a, b, (0, 2)),
                                  (a * b).sum(axis=(0, 2)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('index_dtype', [numpy.int32, numpy.int64, numpy.uint16])
@pytest.mark.parametrize('shape', [(50, 256), (40, 8, 40)])
def test_scatter_add_rows_is_add_at(dtype, index_dtype, shape):
    """Whole rows scattered into zeros (the gradient of a gather): the same bits
    as numpy.add.at, repeats and unsorted indices included."""
    rng = numpy.random.default_rng(0)
    index = rng.integers(0, shape[0], 300).astype(index_dtype)
    values = rng.standard_normal((300,) + shape[1:]).astype(dtype)
    expected = numpy.zeros(shape, dtype)
    numpy.add.at(expected, index, values)
    for key in (index, (index,)):
        got = numpy.zeros(shape, dtype)
        array_utils.scatter_add(got, key, values)
        numpy.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('index_shape', [(30, 10), (6, 5, 10), (300, 1)])
def test_scatter_add_rows_with_an_index_array_of_any_shape_is_add_at(dtype, index_shape):
    """A multi-dimensional index of rows (the gradient of ``W[paths]`` with
    ``paths`` of shape (batch, depth)): the same bits as numpy.add.at."""
    rng = numpy.random.default_rng(2)
    index = rng.integers(0, 40, index_shape).astype(numpy.int32)
    index = numpy.asfortranarray(index)  # not C-contiguous: added in C order all the same
    values = rng.standard_normal(index_shape + (64,)).astype(dtype)
    expected = numpy.zeros((40, 64), dtype)
    numpy.add.at(expected, index, values)
    got = numpy.zeros((40, 64), dtype)
    assert array_utils._scatter_add_rows(got, index, values)  # one sparse product
    numpy.testing.assert_array_equal(got, expected)


def test_scatter_add_rows_negative_indices_views_and_nonzero_targets():
    rng = numpy.random.default_rng(1)
    base = rng.standard_normal((30, 600))
    index = rng.integers(-30, 30, 50)
    values = rng.standard_normal((50, 300))
    expected = base.copy()
    numpy.add.at(expected[:, ::2], index, values)
    got = base.copy()
    array_utils.scatter_add(got[:, ::2], index, values)  # a strided view, written in place
    numpy.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
    numpy.testing.assert_array_equal(got[:, 1::2], base[:, 1::2])


@pytest.mark.parametrize('bad', [30, -31])
def test_scatter_add_rows_out_of_range_raises_and_changes_nothing(bad):
    a = numpy.zeros((30, 600))
    index = numpy.zeros(50, numpy.int64)
    index[7] = bad
    with pytest.raises(IndexError):
        array_utils.scatter_add(a, index, numpy.ones((50, 600)))
    assert not a.any()


def _relative_errors(got, exact, dtype):
    """|got - exact| / |exact| in units of eps, where the exact value is normal."""
    big = numpy.abs(exact) > float(numpy.finfo(dtype).tiny) * 16
    exact = exact[big]
    return numpy.abs(got[big].astype(numpy.longdouble) - exact) / numpy.abs(exact) \
        / numpy.finfo(dtype).eps


def _wide_samples(dtype, n=20000):
    rng = numpy.random.default_rng(0)
    far = 120 if dtype == numpy.float32 else 800
    return numpy.concatenate([
        rng.uniform(-1, 1, n), rng.uniform(-far, far, n),
        10.0 ** rng.uniform(-45, 2, n) * rng.choice([-1, 1], n)]).astype(dtype)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('n', [5, 20000])  # NumPy's log1p below 1024 elements
def test_log1p_exp_neg_abs_accuracy(dtype, n):
    x = _wide_samples(dtype, n)
    got = array_utils.log1p_exp_neg_abs(x)
    assert got.dtype == dtype and got.shape == x.shape
    exact = numpy.log1p(numpy.exp(-numpy.abs(x.astype(numpy.longdouble))))
    assert _relative_errors(got, exact, dtype).max() <= 3
    special = numpy.array([0, -0.0, numpy.inf, -numpy.inf, numpy.nan, 1e-30], dtype)
    out = array_utils.log1p_exp_neg_abs(numpy.tile(special, 300))[:6]
    numpy.testing.assert_allclose(out, [numpy.log(2), numpy.log(2), 0, 0, numpy.nan,
                                        numpy.log(2)], rtol=1e-3)
    zero_d = array_utils.log1p_exp_neg_abs(numpy.asarray(0.5, dtype))
    assert isinstance(zero_d, numpy.ndarray) and zero_d.shape == ()


@pytest.mark.parametrize('scalar', [True, False])
def test_log1p_exp_neg_abs_routes(monkeypatch, scalar):
    # the formula where NumPy's float32 log1p calls libm per element, else log1p itself
    f32 = numpy.dtype(numpy.float32)
    monkeypatch.setitem(array_utils._LOG1P_SCALAR, f32, scalar)
    x = _wide_samples(numpy.float32)
    exact = numpy.log1p(numpy.exp(-numpy.abs(x.astype(numpy.longdouble))))
    calls = []
    log1p = numpy.log1p

    def counting(*args, **kwargs):
        calls.append(args[0].dtype)
        return log1p(*args, **kwargs)
    monkeypatch.setattr(numpy, 'log1p', counting)
    got = array_utils.log1p_exp_neg_abs(x)
    assert _relative_errors(got, exact, numpy.float32).max() <= 3
    assert calls == ([] if scalar else [f32])
    calls.clear()
    array_utils.log1p_exp_neg_abs(x.astype(numpy.float64))  # float64: always log1p
    assert calls == [numpy.dtype(numpy.float64)]


@pytest.mark.parametrize('current, scalar', [
    ('baseline(X86_V2)', True), ('baseline(SSE SSE2 SSE3)', True),
    ('X86_V4', False), ('AVX512_SKX', False), (None, True)])
def test_log1p_scalar_from_numpy_dispatch(monkeypatch, current, scalar):
    from numpy.lib import introspect

    def info(func_name=None, signature=None):
        if current is None:
            raise RuntimeError('no dispatch information')
        return {'log1p': {'ff': {'current': current, 'available': current}}}
    monkeypatch.setattr(introspect, 'opt_func_info', info)
    monkeypatch.setattr(array_utils, '_LOG1P_SCALAR', {})
    assert array_utils._log1p_is_scalar(numpy.dtype(numpy.float32)) is scalar


_UINT = {2: numpy.uint16, 4: numpy.uint32, 8: numpy.uint64}


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shapes', [
    ((64, 100), (64, 100), (64, 100)),   # large: picked by bit masks
    ((64, 100), (), (64, 100)),
    ((1, 100), (64, 1), (64, 100)),
    ((64, 100), (64, 100), (100,)),
    ((70, 70), (70, 70), ()),
    ((3,), (3,), (3,)),                  # small: numpy.where itself
])
def test_select_is_where_bit_for_bit(dtype, shapes):
    rng = numpy.random.RandomState(3)
    sa, sb, sc = shapes
    a = rng.standard_normal(sa).astype(dtype)
    b = rng.standard_normal(sb).astype(dtype)
    a.flat[:5] = [numpy.inf, -numpy.inf, numpy.nan, -0.0, 0.0][:a.size]
    cond = numpy.asarray(rng.standard_normal(sc) > 0)
    bits = _UINT[numpy.dtype(dtype).itemsize]
    # (a +0.0 scalar or 0-d operand picks the other's bits times the mask)
    zero = numpy.zeros((), dtype)
    for x, y in [(a, b), (b, a), (a, dtype(0)), (dtype(-0.0), a), (a[::-1], b),
                 (dtype(0), a), (a, dtype(-0.0)), (zero, a[::-1]), (a, zero)]:
        got = array_utils.select(cond, x, y)
        want = numpy.where(cond, x, y)
        assert got.dtype == want.dtype and got.shape == want.shape
        numpy.testing.assert_array_equal(got.view(bits), want.view(bits))
        assert not numpy.shares_memory(got, x)


def test_select_leaves_other_conditions_to_where():
    cond = numpy.arange(6000) % 3  # not boolean: nonzero counts as true
    a = numpy.ones(6000, numpy.float32)
    b = numpy.zeros(6000, numpy.float32)
    numpy.testing.assert_array_equal(array_utils.select(cond, a, b), numpy.where(cond, a, b))
    ints = numpy.arange(6000)
    numpy.testing.assert_array_equal(array_utils.select(cond > 0, ints, -ints),
                                     numpy.where(cond > 0, ints, -ints))


@pytest.mark.parametrize('shape', [(32, 32, 32, 32), (3, 5, 7, 1000), (5000, 3), (8193, 2),
                                   (4, 8192), (2, 3), (16384,)])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float64, numpy.int32])
def test_last_axis_first_is_a_moveaxis_copy(shape, dtype):
    x = (numpy.arange(numpy.prod(shape)) % 2048).reshape(shape).astype(dtype)
    y = array_utils.last_axis_first(x)
    numpy.testing.assert_array_equal(y, numpy.moveaxis(x, -1, 0))
    assert y.dtype == x.dtype and y.flags.c_contiguous
    assert x.ndim == 1 or not numpy.shares_memory(x, y)
    strided = x[..., ::-1]  # not contiguous: NumPy's own copy
    numpy.testing.assert_array_equal(array_utils.last_axis_first(strided),
                                     numpy.moveaxis(strided, -1, 0))


@pytest.mark.parametrize('shape', [(32, 32, 64), (3, 5, 7, 1000), (5000, 3), (2, 3)])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_last_axis_first_writes_into_out(shape, dtype):
    x = (numpy.arange(numpy.prod(shape)) % 2048).reshape(shape).astype(dtype)
    expected = numpy.moveaxis(x, -1, 0)
    out = numpy.full(expected.shape, -1, dtype)
    assert array_utils.last_axis_first(x, out=out) is out
    numpy.testing.assert_array_equal(out, expected)
    # a view into a larger array, and one that is not contiguous (NumPy's copy)
    big = numpy.full((3,) + expected.shape, -1, dtype)
    array_utils.last_axis_first(x, out=big[1])
    numpy.testing.assert_array_equal(big[1], expected)
    assert (big[0] == -1).all() and (big[2] == -1).all()
    wide = numpy.full(expected.shape[:-1] + (2 * expected.shape[-1],), -1, dtype)
    array_utils.last_axis_first(x, out=wide[..., ::2])
    numpy.testing.assert_array_equal(wide[..., ::2], expected)
    assert (wide[..., 1::2] == -1).all()


def test_scatter_add_on_the_cpu_is_deterministic_and_silent(recwarn):
    a = numpy.zeros((3, 2), numpy.float32)
    with chainer.using_config('warn_nondeterministic', True):
        array_utils.scatter_add(a, numpy.array([0, 0, 2]), numpy.ones((3, 2), numpy.float32))
    numpy.testing.assert_array_equal(a, [[2, 2], [0, 0], [1, 1]])
    assert not recwarn.list


@pytest.mark.gpu
def test_scatter_add_on_the_gpu_warns_when_asked(cupy):
    # cupyx.scatter_add adds atomically: float sums may differ from run to run.
    a = cupy.zeros((3, 2), numpy.float32)
    index = cupy.array([0, 0, 2])
    values = cupy.ones((3, 2), numpy.float32)
    with chainer.using_config('warn_nondeterministic', True):
        with pytest.warns(UserWarning, match='atomicAdd'):
            array_utils.scatter_add(a, index, values)
    numpy.testing.assert_array_equal(cupy.asnumpy(a), [[2, 2], [0, 0], [1, 1]])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        array_utils.scatter_add(a, index, values)


@pytest.mark.parametrize('name', ['as_vec', 'as_mat', 'empty_like'])
def test_chainers_deprecated_helpers_warn(name):
    x = numpy.arange(6, dtype='f').reshape(1, 2, 3)
    with pytest.warns(DeprecationWarning, match=f'chainer.utils.array.{name} is deprecated'):
        y = getattr(array_utils, name)(x)
    assert y.shape == {'as_vec': (6,), 'as_mat': (1, 6), 'empty_like': (1, 2, 3)}[name]


@pytest.mark.parametrize('shape', [(4, 3), (2, 3, 5), (0, 3, 2), (3, 0), (2,)])
def test_as_matrix(shape):
    x = numpy.zeros(shape, 'f')
    assert array_utils.as_matrix(x).shape == (shape[0], int(numpy.prod(shape[1:])))


def test_python_constant_takes_the_smallest_float_type_that_holds_it():
    from chainer.utils.array import python_constant
    assert python_constant(numpy.float16, 2.5).dtype == numpy.float16
    assert python_constant(numpy.float16, 1e5) == numpy.float32(1e5)
    assert python_constant(numpy.float16, 1e5).dtype == numpy.float32
    assert python_constant(numpy.float32, 1e40).dtype == numpy.float64
    assert python_constant(numpy.float16, numpy.inf).dtype == numpy.float16


@pytest.mark.parametrize('k, m, n', [(1, 1, 1), (32, 1024, 256), (7, 30, 5), (256, 64, 48)])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_add_matmul_ta_is_the_product_added_bit_for_bit(k, m, n, dtype):
    rng = numpy.random.RandomState(k + m)
    a = rng.randn(k, m).astype(dtype)
    b = rng.randn(k, n).astype(dtype)
    acc = rng.randn(m, n).astype(dtype)
    expect = acc + a.T.dot(b)
    kept = acc.copy()
    out = array_utils.add_matmul_ta(acc, a, b, fresh=True)
    numpy.testing.assert_array_equal(acc, kept)  # a new array
    assert out.flags.c_contiguous and not numpy.may_share_memory(out, acc)
    numpy.testing.assert_array_equal(out, expect)
    assert array_utils.add_matmul_ta(acc, a, b) is acc
    numpy.testing.assert_array_equal(acc, expect)


def _small_operands():
    """A random generator and ``a`` (4, 6), ``b`` (4, 5) float32 drawn from it."""
    rng = numpy.random.RandomState(0)
    return rng, rng.randn(4, 6).astype(numpy.float32), rng.randn(4, 5).astype(numpy.float32)


def test_add_matmul_ta_fresh_takes_a_read_only_or_strided_sum():
    rng, a, b = _small_operands()
    acc = rng.randn(5, 6).astype(numpy.float32).T  # not C-contiguous
    acc.flags.writeable = False
    out = array_utils.add_matmul_ta(acc, a, b, fresh=True)
    numpy.testing.assert_array_equal(out, acc + a.T.dot(b))


def _not_taken(acc, a, b):
    before = acc.copy()
    assert array_utils.add_matmul_ta(acc, a, b) is None
    numpy.testing.assert_array_equal(acc, before)


def test_add_matmul_ta_leaves_what_blas_cannot_take():
    _, a, b = _small_operands()
    acc = numpy.zeros((6, 5), numpy.float32)
    _not_taken(acc.astype(numpy.float16), a.astype(numpy.float16), b.astype(numpy.float16))
    _not_taken(acc, a, b.astype(numpy.float64))  # mixed dtypes
    _not_taken(acc.astype(numpy.float64), a, b)
    _not_taken(numpy.zeros((5, 6), numpy.float32).T, a, b)  # acc not C-contiguous
    _not_taken(acc, numpy.asfortranarray(a), b)
    _not_taken(acc, a, b[:, ::-1])
    _not_taken(numpy.zeros((6, 4), numpy.float32), a, b)  # shapes
    _not_taken(acc, a[:0], b[:0])  # nothing to add
    _not_taken(acc, numpy.zeros((257, 6), numpy.float32),
               numpy.zeros((257, 5), numpy.float32))  # summed in several blocks
    frozen = acc.copy()
    frozen.flags.writeable = False
    _not_taken(frozen, a, b)

    class Sub(numpy.ndarray):
        pass

    _not_taken(acc.view(Sub), a, b)  # not exactly a NumPy array (CuPy's neither)
    assert array_utils.add_matmul_ta(acc.view(Sub), a, b, fresh=True) is None


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape, axis', [
    ((5,), (0,)), ((4, 3), (0,)), ((2, 3, 4, 5), (0, 2, 3)), ((0, 3), (0,)), ((), ()),
    # large enough for the einsum path
    ((16, 8, 8, 8), (0, 2, 3)), ((70, 64), (0,)), ((4096,), (0,)), ((4, 1100), ())])
def test_sum_over_is_sum(dtype, shape, axis):
    a = numpy.random.default_rng(0).uniform(-1, 1, shape).astype(dtype)
    expected = a.sum(axis=axis)
    got = array_utils.sum_over(a, axis)
    assert isinstance(got, numpy.ndarray)  # 0-d results stay arrays
    assert got.dtype == expected.dtype and got.shape == expected.shape
    tol = 1e-2 if dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    kept = array_utils.sum_over(a, axis, keepdims=True)
    assert kept.shape == a.sum(axis=axis, keepdims=True).shape
    numpy.testing.assert_array_equal(kept.reshape(got.shape), got)


@pytest.mark.parametrize('shape, v_shape, spread', [
    ((8, 30, 8, 9), (1, 30, 1, 1), True),    # per-channel, short runs
    ((8, 30, 8, 9), (1, 30, 8, 1), True),
    ((8, 3, 100, 100), (1, 3, 1, 1), False),  # runs as long as the buffer: fast as is
    ((8, 30, 8, 9), (1, 30, 8, 9), False),   # nothing broadcast within a sample
    ((8, 30, 8, 9), (30, 1, 1), True),       # fewer axes (NumPy's broadcast)
    ((8, 30, 8, 9), (30, 8, 9), False),      # nothing broadcast within a sample
    ((8, 3000), (1, 3000), False),           # 2-d: no run
    ((3, 30, 20, 20), (1, 30, 1, 1), False),  # too few samples to pay
    ((4, 300, 20, 20), (1, 300, 1, 1), False),  # a large sample: spread from 8 samples
    ((8, 300, 20, 20), (1, 300, 1, 1), True),
    ((4, 30, 20, 20), (1, 30, 1, 1), True),
    ((8, 3, 4, 5), (1, 3, 1, 1), False),     # too small to pay
    ((8, 30, 8, 9), (8, 1, 1, 1), False),    # not shared by the samples
    ((8, 30, 8, 9), (1, 1, 1, 1), False),    # one value a sample: fast as is
    ((8, 1, 8, 9), (1, 30, 1, 1), False),    # the result is not of x's shape
    ((8, 30, 8, 9), 'view', True),            # broadcast_to's view of (1, 30, 1, 1)
])
def test_sample_operand_spreads_short_runs_over_a_sample(shape, v_shape, spread):
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-1, 1, shape).astype(numpy.float32)
    if v_shape == 'view':
        v = numpy.broadcast_to(rng.uniform(-1, 1, (1, 30, 1, 1)).astype(numpy.float32), shape)
    else:
        v = rng.uniform(-1, 1, v_shape).astype(numpy.float32)
    if v.shape[1] != x.shape[1] and x.shape[1] == 1:
        assert array_utils.sample_operand(v, x) is v
        return
    got = array_utils.sample_operand(v, x)
    if spread:
        assert got.shape == (1,) + shape[1:] and got.flags.c_contiguous
        numpy.testing.assert_array_equal(got, numpy.broadcast_to(v[:1] if v.ndim == 4 else v,
                                                                 got.shape))
    else:
        assert got is v
    # the same bits as the plain broadcast
    numpy.testing.assert_array_equal(x * got, x * v)
    numpy.testing.assert_array_equal(x - got, x - v)


def test_sample_operands_spread_either_operand():
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    v = rng.uniform(-1, 1, (1, 30, 1, 1)).astype(numpy.float32)
    a, b = array_utils.sample_operands(x, v)
    assert a is x and b.shape == (1, 30, 8, 9)
    a, b = array_utils.sample_operands(v, x)
    assert a.shape == (1, 30, 8, 9) and b is x
    view = numpy.broadcast_to(v, x.shape)
    a, b = array_utils.sample_operands(view, x)
    assert a.shape == (1, 30, 8, 9) and a.flags.c_contiguous and b is x
    numpy.testing.assert_array_equal(a - b, v - x)
    # nothing to spread: the operands as given
    for pair in ((x, x), (x, v[0, :, 0, 0]), (x[:2], v), (x, 2.0)):
        got = array_utils.sample_operands(*pair)
        assert got[0] is pair[0] and got[1] is pair[1]


def test_select_spreads_per_channel_operands(monkeypatch):
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    w = numpy.broadcast_to(rng.uniform(-1, 1, (1, 30, 1, 1)).astype(numpy.float32), x.shape)
    one = numpy.ones((), numpy.float32)
    spread = []
    real = array_utils.sample_operand

    def counting(v, ref):
        out = real(v, ref)
        spread.append(out is not v)
        return out

    monkeypatch.setattr(array_utils, 'sample_operand', counting)
    for cond in (x < 0, ~(x < 0)):
        got = array_utils.select(cond, w, one)
        numpy.testing.assert_array_equal(got, numpy.where(cond, w, one))
        got = array_utils.select(cond, one, w)
        numpy.testing.assert_array_equal(got, numpy.where(cond, one, w))
    assert spread.count(True) == 4


@pytest.mark.parametrize('shape, to', [
    ((8, 30, 8, 9), (1, 30, 1, 1)),
    ((8, 30, 8, 9), (30, 1, 1)),
    ((16, 4, 16, 8, 8), (1, 4, 1, 8, 1)),
    ((64, 1, 28, 28), (1, 1, 1, 1)),     # all summed: NumPy's reduction
    ((300, 60), (60,)),                  # leading axes only: NumPy's reduction
])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_sum_to_around_a_kept_axis_by_einsum(monkeypatch, shape, to, dtype):
    x = numpy.random.default_rng(0).uniform(-1, 1, shape).astype(dtype)
    calls = []
    real = array_utils.sum_over
    monkeypatch.setattr(array_utils, 'sum_over',
                        lambda x, axis, **kw: calls.append(axis) or real(x, axis, **kw))
    got = array_utils.sum_to(x, to)
    lead = x.ndim - len(to)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(to) if n == 1 and shape[i + lead] != 1)
    expected = x.sum(axis=axes, keepdims=True).reshape(to)
    if (64, 1, 28, 28) == shape:  # 50176 elements summed as NumPy 1 summed them
        expected = numpy1_row_sums(x.reshape(1, -1)).reshape(to)
    assert got.shape == to and got.dtype == dtype
    einsum = to not in ((1, 1, 1, 1), (60,))
    assert bool(calls) == einsum
    if einsum:
        tol = 1e-5 if dtype == numpy.float32 else 1e-12
        numpy.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    else:
        numpy.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize('shape, dtype, n_blocks', [
    ((64, 64, 32, 32), numpy.float32, 64),   # 256 KiB samples: one a block
    ((16, 256, 8, 8), numpy.float32, 1),     # 1 MiB in all: no blocks
    ((40, 64, 32, 16), numpy.float64, 40),
    ((42, 8, 1024), numpy.float32, 6),       # 32 KiB samples, 8 a block: 5 x 8 + 2
    ((1, 1 << 21), numpy.float32, 1),        # one sample
    ((), numpy.float32, 1),
])
def test_sample_blocks_cover_the_first_axis_in_order(shape, dtype, n_blocks):
    x = numpy.zeros(shape, dtype)
    blocks = array_utils.sample_blocks(x)
    assert len(blocks) == n_blocks
    if n_blocks == 1:
        assert blocks == [slice(None)]
        return
    covered = numpy.concatenate([numpy.arange(shape[0])[b] for b in blocks])
    numpy.testing.assert_array_equal(covered, numpy.arange(shape[0]))
    assert all(x[b].nbytes <= max(array_utils._BLOCK_BYTES, x[:1].nbytes) for b in blocks)


def _scattered_products(n, index, x, weights, dtype):
    """The reference of scatter_rows: zeros, then numpy.add.at of every product."""
    values = x if weights is None else weights[:, :, None] * x[:, None, :]
    if weights is None and index.ndim == 2:
        values = numpy.broadcast_to(x[:, None], index.shape + x.shape[1:])
    out = numpy.zeros((n, x.shape[1]), dtype)
    numpy.add.at(out, index, values)
    return out


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('index_dtype', [numpy.int32, numpy.int64, numpy.uint16])
@pytest.mark.parametrize('k, weighted', [(None, False), (3, False), (4, True)])
def test_scatter_rows_is_zeros_and_add_at_of_the_products(dtype, index_dtype, k, weighted):
    """Bit for bit the zeros + scatter_add of weights[:, :, None] * x[:, None, :],
    with repeated ids within a row and across rows, and zero weights."""
    rng = numpy.random.default_rng(3)
    n, b, d = 40, 600, 21
    shape = (b,) if k is None else (b, k)
    index = rng.integers(0, n, shape).astype(index_dtype)
    if k is not None:
        index[:, 1] = index[:, 0]  # the same id twice in one row
    x = rng.standard_normal((b, 2 * d)).astype(dtype)[:, ::2]  # a strided view
    weights = rng.standard_normal(shape).astype(dtype) if weighted else None
    if weighted:
        weights[::5] = 0  # ignored rows (signed zeros in the products)
    got = array_utils.scatter_rows(n, index, x, weights)
    expected = _scattered_products(n, index, x, weights, dtype)
    sparse = array_utils._rows_product(n, index, x, weights) is not None
    assert sparse == (dtype != numpy.float16)
    assert got.dtype == dtype and got.shape == (n, d)
    assert_same_sums(got, expected)


def test_scatter_rows_negative_out_of_range_and_empty_indices():
    rng = numpy.random.default_rng(4)
    x = rng.standard_normal((600, 20))
    weights = rng.standard_normal((600, 2))
    index = rng.integers(-10, 10, (600, 2))
    assert array_utils._rows_product(10, index, x, weights) is not None
    assert_same_sums(array_utils.scatter_rows(10, index, x, weights),
                     _scattered_products(10, index, x, weights, x.dtype))
    index[2, 1] = 10
    with pytest.raises(IndexError):
        array_utils.scatter_rows(10, index, x, weights)
    empty = array_utils.scatter_rows(4, numpy.zeros(0, numpy.int32), x[:0])
    assert empty.shape == (4, 20) and not empty.any()


def test_scatter_add_rows_into_a_few_rows_of_a_large_array_keeps_the_others():
    """Few ids into many rows (a product of the touched rows only); untouched
    rows keep their bits, negative zeros included."""
    rng = numpy.random.default_rng(5)
    a = rng.standard_normal((5000, 64)).astype(numpy.float32)
    a[::3] = -0.0
    index = rng.integers(0, 5000, 200)
    index[:20] = 3  # a -0.0 row, touched many times
    values = rng.standard_normal((200, 64)).astype(numpy.float32)
    expected = a.copy()
    numpy.add.at(expected, index, values)
    got = a.copy()
    array_utils.scatter_add(got, index, values)
    untouched = numpy.setdiff1d(numpy.arange(5000), index)
    numpy.testing.assert_array_equal(got[untouched].view(numpy.uint32),
                                     a[untouched].view(numpy.uint32))
    numpy.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    zeros = numpy.zeros_like(a)
    array_utils.scatter_add(zeros, index, values)
    numpy.testing.assert_array_equal(zeros, _scattered_products(5000, index, values, None,
                                                                numpy.float32))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('d', [100, 37])
def test_gathered_blocks_cover_the_gather_and_keep_each_row_reduction(dtype, d):
    rng = numpy.random.default_rng(6)
    table = rng.standard_normal((300, d)).astype(dtype)
    index = rng.integers(0, 300, (3001, 6))
    x = rng.standard_normal((3001, d)).astype(dtype)
    c = rng.standard_normal((3001, 6)).astype(dtype)
    blocks = list(array_utils.gathered_blocks(table, index))
    assert len(blocks) > 2
    got = numpy.concatenate([numpy.einsum('bkd,bd->bk', w, x[s]) for s, w in blocks])
    numpy.testing.assert_array_equal(got, numpy.einsum('bkd,bd->bk', table[index], x))
    got = numpy.concatenate([numpy.einsum('bk,bkd->bd', c[s], w) for s, w in blocks])
    numpy.testing.assert_array_equal(got, numpy.einsum('bk,bkd->bd', c, table[index]))
    assert [s for s, _ in array_utils.gathered_blocks(table, index[:3])] == [slice(None)]


@pytest.mark.parametrize('s, m, n, k', [(3, 4, 5, 300), (1, 2, 3, 4), (0, 2, 3, 4),
                                        (2, 0, 3, 4), (2, 3, 4, 0)])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_sum_matmul_t_is_the_sum_of_the_products(s, m, n, k, dtype):
    rng = numpy.random.RandomState(5)
    a = rng.uniform(-1, 1, (s, m, k)).astype(dtype)
    b = rng.uniform(-1, 1, (s, n, k)).astype(dtype)
    expected = numpy.zeros((m, n), dtype)
    for i in range(s):
        expected += a[i] @ b[i].T
    out = array_utils.sum_matmul_t(a, b)
    assert out.dtype == dtype and out.shape == (m, n) and out.flags.c_contiguous
    tol = 1e-5 if dtype == numpy.float32 else 1e-13
    numpy.testing.assert_allclose(out, expected, rtol=tol, atol=tol)


def test_sum_matmul_t_of_views_and_mixed_dtypes():
    rng = numpy.random.RandomState(6)
    a = rng.uniform(-1, 1, (3, 4, 10))
    b = rng.uniform(-1, 1, (3, 5, 20)).astype(numpy.float32)[:, :, ::2]
    out = array_utils.sum_matmul_t(a, b)
    assert out.dtype == numpy.float64
    numpy.testing.assert_allclose(out, numpy.einsum('smk,snk->mn', a, b), rtol=1e-12)


def _scaled_sum(a, b, scale):
    out = a * scale
    out += b
    return out


@pytest.mark.parametrize('layout', ['contiguous', 'strided', 'broadcast'])
@pytest.mark.parametrize('shape', [(3, 5), (9, 5, 7001), (140001,)])
def test_in_compute_blocks_is_the_one_call_bit_for_bit(layout, shape):
    # float16 in float32 block by block: each element rounds once, as in one call.
    rs = numpy.random.RandomState(0)
    a = (rs.randn(*shape) * 300).astype(numpy.float16)
    b = rs.randn(*shape).astype(numpy.float16)
    if layout == 'strided' and len(shape) > 1:
        a = (rs.randn(shape[0] * 2, *shape[1:]) * 300).astype(numpy.float16)[::2]
    elif layout == 'broadcast':
        b = numpy.broadcast_to(b[:1], shape)
    scale = numpy.float32(1 / 3)
    y = array_utils.in_compute_blocks(_scaled_sum, (a, b), scale)
    expected = _scaled_sum(a.astype(numpy.float32), b.astype(numpy.float32), scale)
    assert y.dtype == numpy.float16 and y.shape == shape and y.flags.c_contiguous
    expected = expected.astype(numpy.float16)
    numpy.testing.assert_array_equal(y.view(numpy.uint16), expected.view(numpy.uint16))



def _centered_rows(a, b):
    return a - (a * b).sum(axis=(1, 2), keepdims=True)


@pytest.mark.parametrize('shape', [(300, 37, 41), (5, 300, 300)])
@pytest.mark.parametrize('layout', ['contiguous', 'fortran', 'strided'])
def test_in_compute_blocks_per_sample_reduces_as_the_one_call(layout, shape):
    # per_sample: blocks of whole samples only, so a function summing over the other
    # axes of each sample sums as over the whole float32 copies; arrays of another
    # layout than C's go whole (NumPy sums a sample of an F-ordered block of samples
    # in another order than in the whole array).
    rs = numpy.random.RandomState(0)
    a = rs.randn(*shape).astype(numpy.float16)
    b = rs.randn(*shape).astype(numpy.float16)
    if layout == 'fortran':
        a, b = numpy.asfortranarray(a), numpy.asfortranarray(b)
    elif layout == 'strided':
        a = rs.randn(*shape[:2], 2 * shape[2]).astype(numpy.float16)[:, :, ::2]
    y = array_utils.in_compute_blocks(_centered_rows, (a, b), per_sample=True)
    expected = _centered_rows(a.astype(numpy.float32), b.astype(numpy.float32))
    numpy.testing.assert_array_equal(y.view(numpy.uint16),
                                     expected.astype(numpy.float16).view(numpy.uint16))


@pytest.mark.parametrize('shape', [(3, 5), (300, 37, 41)])
def test_in_compute_blocks_tuple_of_results(shape):
    a = numpy.random.RandomState(0).randn(*shape).astype(numpy.float16)
    y, z = array_utils.in_compute_blocks(lambda a: (a * 3, a / 7), (a,), per_sample=True)
    a32 = a.astype(numpy.float32)
    for got, expected in ((y, a32 * 3), (z, a32 / 7)):
        assert got.dtype == numpy.float16 and got.shape == shape
        numpy.testing.assert_array_equal(got, expected.astype(numpy.float16))

def test_in_compute_blocks_keeps_float16_temporaries_block_sized():
    a = numpy.ones((32, 64, 128), numpy.float16)  # 512 KiB
    with traced_peak() as traced:
        y = array_utils.in_compute_blocks(_scaled_sum, (a, a), numpy.float32(2))
    peak = traced.bytes
    # the result plus a few 256 KiB blocks; converted whole, the two float32 operands
    # and the float32 result would take 3 MiB
    assert peak < a.nbytes + 4 * array_utils._COMPUTE_BLOCK * 4, peak
    numpy.testing.assert_array_equal(y, numpy.full(a.shape, 3, numpy.float16))


def test_in_compute_blocks_other_dtypes_are_one_call():
    x = numpy.arange(6, dtype=numpy.float64).reshape(2, 3)
    y = array_utils.in_compute_blocks(_scaled_sum, (x, x), 2.0)
    assert y.dtype == numpy.float64
    numpy.testing.assert_array_equal(y, 3 * x)


def test_on_device_of_keeps_same_device_arrays():
    """An auxiliary array already on the device of ``like`` (or None) comes back as
    the same object: no copy on the NumPy-only path."""
    a, like = numpy.arange(3), numpy.zeros(2)
    assert array_utils.on_device_of(a, like) is a
    assert array_utils.on_device_of(None, like) is None
    array_utils.check_on_device_of(a, like, 'a')
    array_utils.check_on_device_of(None, like, 'a')


@pytest.mark.gpu
def test_on_device_of_moves_between_devices():
    cupy = pytest.importorskip('cupy')
    a = numpy.arange(3)
    moved = array_utils.on_device_of(a, cupy.zeros(2))
    assert isinstance(moved, cupy.ndarray)
    numpy.testing.assert_array_equal(cupy.asnumpy(moved), a)
    back = array_utils.on_device_of(moved, numpy.zeros(2))
    assert type(back) is numpy.ndarray
    numpy.testing.assert_array_equal(back, a)
    with pytest.raises(TypeError, match=r'^w is on @cupy:0 but y is on @numpy: w is '):
        array_utils.check_on_device_of(moved, numpy.zeros(2), 'w', 'y')


_FLOAT_TYPES = [numpy.float16, numpy.float32, numpy.float64]


@pytest.mark.parametrize('dtype', _FLOAT_TYPES)
@pytest.mark.parametrize('n', [0, 1, 100, 8192, 8193, 20000, 3 * 8192 + 5, 100003])
def test_sum_in_numpy1_order_of_a_vector(n, dtype):
    x = long_values(n, dtype)
    got = array_utils.sum_in_numpy1_order(x)
    assert type(got) is numpy.dtype(dtype).type
    numpy.testing.assert_array_equal(got, numpy1_row_sums(x[None])[0])
    assert array_utils.sum(x) == got
    keep = array_utils.sum(x, keepdims=True)
    assert keep.shape == (1,) and keep[0] == got


@pytest.mark.parametrize('dtype', _FLOAT_TYPES)
def test_sum_in_numpy1_order_of_0d_and_empty_arrays(dtype):
    x = numpy.asarray(dtype(1.5))
    assert array_utils.sum(x) == 1.5 and array_utils.sum_in_numpy1_order(x) == 1.5
    for shape, axis in (((0, 20000), 1), ((20000, 0), 0), ((3, 0, 9000), None)):
        empty = numpy.zeros(shape, dtype)
        numpy.testing.assert_array_equal(array_utils.sum(empty, axis), empty.sum(axis))


@pytest.mark.parametrize('dtype', _FLOAT_TYPES)
def test_sum_in_numpy1_order_of_rows(dtype):
    # A softmax over a 10000-word vocabulary: each row in pieces of 8192 and 1808.
    x = long_values(70000, dtype).reshape(7, 10000)
    expected = numpy1_row_sums(x)
    for axis in (1, -1, (1,)):
        numpy.testing.assert_array_equal(array_utils.sum(x, axis), expected)
    numpy.testing.assert_array_equal(array_utils.sum(x, 1, keepdims=True), expected[:, None])
    numpy.testing.assert_array_equal(array_utils.sum(x), numpy1_row_sums(x.reshape(1, -1))[0])
    # Sums over a leading axis add whole elements in turn: NumPy's own.
    numpy.testing.assert_array_equal(array_utils.sum(x, 0), x.sum(0))


@pytest.mark.parametrize('dtype', _FLOAT_TYPES)
def test_sum_in_numpy1_order_follows_memory_order(dtype):
    f = numpy.asfortranarray(long_values(140000, dtype, 1).reshape(20000, 7))
    numpy.testing.assert_array_equal(array_utils.sum(f, 0), numpy1_row_sums(f.T))
    numpy.testing.assert_array_equal(array_utils.sum(f), numpy1_row_sums(f.T.reshape(1, -1))[0])
    # Every axis summed: the pieces run on across rows that do not merge.
    a = long_values(36000, dtype, 2).reshape(12, 3000)[:, :2999]
    numpy.testing.assert_array_equal(array_utils.sum(a), numpy1_row_sums(a.reshape(1, -1))[0])
    # Summed axes inside a kept one: each stretch of them in pieces from its start,
    # the pieces of every stretch added in turn.
    b = long_values(3 * 40 * 600, dtype, 3).reshape(3, 40, 600)[:, :, :599]
    numpy.testing.assert_array_equal(array_utils.sum(b, (1, 2)), numpy1_row_sums(b.reshape(3, -1)))
    c = long_values(180000, dtype, 4).reshape(3, 3, 20000)
    expected = None
    for i in range(3):  # each stretch of 20000 starts its own pieces
        expected = numpy1_row_sums(c[i], start=expected)
    numpy.testing.assert_array_equal(array_utils.sum(c, (0, 2)), expected)
