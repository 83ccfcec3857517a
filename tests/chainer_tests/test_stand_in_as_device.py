"""Where a GPU may give other answers than NumPy, the CuPy stand-in does too.

Rounding: a GPU computes math functions to a few ulps and sums in another order, so a
gpu test that compares such a result with NumPy's exactly fails on the device
while it passes on a stand-in that is NumPy underneath. The stand-in therefore
moves inexact float results a few ulps (``RECHAINER_STAND_IN_ULPS``); exact
ones (copies, selections, correctly rounded arithmetic, sums of small integers)
stay as they are. The first test holds on CuPy too.

Random streams: CuPy's generator draws other numbers than NumPy's for the same
seed; so does the stand-in's, which has a stream of its own.

Undefined results: a GPU runs the elements of a kernel in parallel threads, so
where NumPy gives a definite result by buffering or running in order, CuPy may
not. The stand-in raises ``UndefinedOnDevice`` for such a call: differing values
written to one element through repeated indices, a write through a broadcast
view (a zero stride), a kernel output or a non-ufunc ``out=`` sharing memory
with an input other than as the same view, and an overlapping copy that CuPy
makes with ``memcpy``. CuPy's ufuncs (in-place operators too) copy an input
that overlaps their output, so those stay allowed.

Host operands: CuPy's functions refuse NumPy arrays, in a list of operands too,
so a CuPy branch that hands one a host array fails here as on the device.
"""
from __future__ import annotations

import numpy
import pytest

pytestmark = pytest.mark.gpu


@pytest.fixture
def rounding(cupy_stand_in):
    if not cupy_stand_in._ULPS:
        pytest.skip('RECHAINER_STAND_IN_ULPS=0')
    return cupy_stand_in


def _ulps_apart(a, b):
    """How many representable values lie between ``a`` and ``b`` (same signs)."""
    uint = {2: numpy.int16, 4: numpy.int32, 8: numpy.int64}[a.dtype.itemsize]
    return numpy.abs(a.view(uint).astype(numpy.int64) - b.view(uint).astype(numpy.int64))


def test_exact_results_stay_exact(cupy):
    ints = numpy.arange(-6, 6, dtype=numpy.float32).reshape(3, 4)
    x = cupy.asarray(ints)
    assert float(x.sum()) == ints.sum()
    numpy.testing.assert_array_equal(cupy.asnumpy(x.sum(axis=0)), ints.sum(axis=0))
    numpy.testing.assert_array_equal(cupy.asnumpy(x @ x.T), ints @ ints.T)
    numpy.testing.assert_array_equal(cupy.asnumpy(cupy.exp(cupy.zeros(3, numpy.float32))), 1)
    r = numpy.random.RandomState(0).uniform(-1, 1, (3, 3)).astype(numpy.float32)
    y = cupy.asarray(r)
    numpy.testing.assert_array_equal(cupy.asnumpy(y.max(axis=1)), r.max(axis=1))
    numpy.testing.assert_array_equal(cupy.asnumpy(cupy.einsum('ii->i', y)), numpy.diagonal(r))
    numpy.testing.assert_array_equal(cupy.asnumpy(y * 2 + y), r * 2 + r)


def test_math_functions_and_sums_move(rounding):
    r = numpy.random.RandomState(1).uniform(0.1, 1, 64)
    for dtype in (numpy.float32, numpy.float64):
        a = r.astype(dtype)
        for got, want in ((rounding.exp(rounding.asarray(a)), numpy.exp(a)),
                          (rounding.asarray(a).sum(keepdims=True), a.sum(keepdims=True)),
                          (rounding.asarray(a) ** 1.5, a ** 1.5)):
            apart = _ulps_apart(rounding.asnumpy(got), want).reshape(-1)
            assert (apart[::2] == rounding._ULPS).all() and (apart[1::2] == 0).all(), dtype
    a = r.astype(numpy.float16)
    apart = _ulps_apart(rounding.asnumpy(rounding.tanh(rounding.asarray(a))), numpy.tanh(a))
    assert apart.max() == 1  # float16 goes through float32: one rounding


def test_views_and_copies_do_not_move(rounding):
    r = numpy.random.RandomState(2).uniform(-1, 1, (4, 4))
    x = rounding.asarray(r)
    numpy.testing.assert_array_equal(rounding.asnumpy(rounding.einsum('ij->ji', x)), r.T)
    numpy.testing.assert_array_equal(rounding.asnumpy(x), r)  # the input is untouched


def test_kernels_move_only_with_math_functions_or_sums(rounding):
    from tests.chainer_tests import _host_kernels
    if _host_kernels.CXX is None:
        pytest.skip('needs g++')
    r = numpy.random.RandomState(3).uniform(-1, 1, 32).astype(numpy.float32)
    x = rounding.asarray(r)
    copy = rounding.ElementwiseKernel('T x', 'T y', 'y = x > 0 ? x : -x', 'rounding_abs')
    numpy.testing.assert_array_equal(rounding.asnumpy(copy(x)), numpy.abs(r))
    for kind, spec in (
            ('Elementwise', ('T x', 'T y', 'y = exp(x)', 'rounding_exp')),
            ('Reduction', ('T x', 'T y', 'x', 'a + b', 'y = a', '0', 'rounding_sum'))):
        on_host = getattr(_host_kernels, f'Host{kind}Kernel')(*spec)(r)
        moved = rounding.asnumpy(getattr(rounding, f'{kind}Kernel')(*spec)(x))
        apart = _ulps_apart(moved, on_host).reshape(-1)
        assert (apart[::2] == rounding._ULPS).all() and (apart[1::2] == 0).all(), kind


def test_scatter_add_moves_only_repeated_targets_and_not_alike_twice(rounding):
    import cupyx
    r = numpy.random.RandomState(4).uniform(0.1, 1, 4)
    want = r.copy()
    numpy.add.at(want, [0, 2, 0], [0.3, 0.7, 0.11])
    moved = []
    for _ in range(2):
        a = rounding.asarray(r.copy())
        cupyx.scatter_add(a, rounding.asarray(numpy.array([0, 2, 0])),
                          rounding.asarray(numpy.array([0.3, 0.7, 0.11])))
        apart = _ulps_apart(rounding.asnumpy(a), want)
        assert (apart[1:] == 0).all()
        moved.append(int(apart[0]))
    assert sorted(moved) == [0, rounding._ULPS]  # atomics: another order each time


@pytest.fixture
def undefined(cupy_stand_in):
    from tests.chainer_tests import _host_kernels
    return lambda: pytest.raises(_host_kernels.UndefinedOnDevice)


def _f32(cupy, values):
    return cupy.asarray(numpy.array(values, numpy.float32))


def test_repeated_writes_of_differing_values_are_refused(cupy_stand_in, undefined):
    cupy = cupy_stand_in
    a = cupy.zeros((3, 2), numpy.float32)
    rows = cupy.asarray(numpy.array([0, 2, 0]))
    with undefined():
        a[rows] = _f32(cupy, [[1, 2], [3, 4], [5, 6]])
    with undefined():
        a[rows] += _f32(cupy, [[1, 2], [3, 4], [5, 6]])  # one add lands, not both
    with undefined():
        a[numpy.array([1, 1]), numpy.array([0, 0])] = _f32(cupy, [7, 8])
    with undefined():
        a[:, numpy.array([1, 1])] = _f32(cupy, [7, 8])  # index arrays after a slice
    with undefined():
        a[rows] = a  # the values share the memory written
    numpy.testing.assert_array_equal(cupy.asnumpy(a), 0)  # refused before writing


def test_repeated_writes_of_one_value_pass(cupy_stand_in):
    cupy = cupy_stand_in
    a = cupy.zeros((3, 2), numpy.float32)
    rows = cupy.asarray(numpy.array([0, 2, 0]))
    a[rows] = _f32(cupy, [[1, 2], [3, 4], [1, 2]])
    a[rows] += 1  # the same sum written twice: as NumPy, one add
    a[numpy.array([1, 1]), numpy.array([0, 0])] = 9
    a[numpy.array([False, True, False])] = _f32(cupy, [[5, 6]])
    numpy.testing.assert_array_equal(cupy.asnumpy(a), [[2, 3], [5, 6], [4, 5]])


def test_writes_through_a_broadcast_view_are_refused(cupy_stand_in, undefined):
    cupy = cupy_stand_in
    base = cupy.zeros(3, numpy.float32)
    b = cupy.lib.stride_tricks.as_strided(base, shape=(4, 3), strides=(0, 4))
    x = cupy.arange(12, dtype=numpy.float32).reshape(4, 3)
    kernel = cupy.ElementwiseKernel('T x', 'T y', 'y = x', 'stand_in_copy')
    for call in (lambda: b.__setitem__(Ellipsis, x), lambda: b.__iadd__(1),
                 lambda: cupy.multiply(x, 2, out=b), lambda: cupy.copyto(b, x),
                 lambda: kernel(x, b), lambda: x.cumsum(axis=0, out=b)):
        with undefined():
            call()
    numpy.testing.assert_array_equal(cupy.asnumpy(base), 0)
    b[...] = 5  # one value for every thread: defined
    b[1:2] = _f32(cupy, [[1, 2, 3]])  # an axis of one
    numpy.testing.assert_array_equal(cupy.asnumpy(base), [1, 2, 3])
    with undefined():  # broadcast_to views are writable in CuPy
        cupy.copyto(cupy.broadcast_to(base, (2, 3)), x[:2])


def test_partial_overlaps_are_refused_where_cupy_copies_nothing(cupy_stand_in, undefined):
    cupy = cupy_stand_in
    a = cupy.arange(8, dtype=numpy.float32)
    kernel = cupy.ElementwiseKernel('T x', 'T y', 'y = x + 1', 'stand_in_plus_one')
    raw = cupy.ElementwiseKernel('raw T x', 'T y', 'y = x[i] + 1', 'stand_in_raw_plus_one')
    two = cupy.ElementwiseKernel('T x', 'T y, T z', 'y = x; z = x', 'stand_in_two')
    m = cupy.ones((2, 2), numpy.float32)
    for call in (lambda: kernel(a[:-1], a[1:]),  # threads read what others write
                 lambda: kernel(a[:4], a[:8:2]),
                 lambda: raw(a, a),  # a raw input is read at any index
                 lambda: two(a[:4], a[4:], a[5:]),  # two outputs
                 lambda: a.__setitem__(slice(1, None), a[:-1]),  # memcpy, overlapping
                 lambda: cupy.copyto(a[1:], a[:-1]),
                 lambda: cupy.matmul(m, m, out=m),  # not a ufunc in CuPy
                 lambda: cupy.sum(a.reshape(2, 4), axis=0, out=a[2:6]),
                 lambda: cupy.add.reduce(a.reshape(2, 4), axis=0, out=a[:4])):
        with undefined():
            call()
    numpy.testing.assert_array_equal(cupy.asnumpy(a), numpy.arange(8))


def test_overlaps_that_cupy_makes_safe_pass(cupy_stand_in):
    cupy = cupy_stand_in
    r = numpy.array([3, -1, 4, 1, -5, 9, 2, -6], numpy.float32)
    a = cupy.asarray(r)
    kernel = cupy.ElementwiseKernel('T x', 'T y', 'y = x + 1', 'stand_in_plus_one')
    kernel(a, a)  # the same view: thread i reads and writes element i
    kernel(a[::2], a[1::2])  # interleaved: no element in common
    a[1:] += a[:-1]  # CuPy's ufuncs copy an input that overlaps the output
    cupy.add(a[1:], a[:-1], out=a[:-1])
    a[1::2] = a[::2]  # a strided copy is a ufunc too
    cupy.copyto(a[1:], a[:-1], where=a[1:] > 0)
    r += 1
    r[1::2] = r[::2] + 1
    r[1:] += r[:-1].copy()
    r[:-1] = r[1:] + r[:-1]
    r[1::2] = r[::2]
    r[1:] = numpy.where(r[1:] > 0, r[:-1], r[1:])
    numpy.testing.assert_array_equal(cupy.asnumpy(a), r)


def test_scatter_add_refuses_values_sharing_its_target(cupy_stand_in, undefined):
    import cupyx
    cupy = cupy_stand_in
    a = cupy.ones(4, numpy.float32)
    with undefined():
        cupyx.scatter_add(a, cupy.asarray(numpy.array([0, 1])), a[2:])


def test_random_stream_is_its_own(cupy_stand_in):
    cupy = cupy_stand_in
    cupy.random.seed(3)
    numpy.random.seed(3)
    drawn = cupy.asnumpy(cupy.random.uniform(size=5))
    assert not numpy.array_equal(drawn, numpy.random.uniform(size=5))
    cupy.random.seed(3)
    numpy.testing.assert_array_equal(cupy.asnumpy(cupy.random.uniform(size=5)), drawn)
    state = cupy.random.RandomState(3)
    numpy.testing.assert_array_equal(cupy.asnumpy(state.uniform(size=5)), drawn)
    assert not numpy.array_equal(
        cupy.asnumpy(state.uniform(size=5)),
        numpy.random.RandomState(3).uniform(size=10)[5:])


def test_functions_refuse_host_arrays(cupy):
    host = numpy.ones((2, 3), numpy.float32)
    device = cupy.asarray(host)
    for call in (lambda: cupy.concatenate([device, host]), lambda: cupy.stack((device, host)),
                 lambda: cupy.where(device > 0, device, host), lambda: cupy.matmul(device, host.T),
                 lambda: cupy.add(device, host), lambda: numpy.concatenate([device, host])):
        with pytest.raises(TypeError):
            call()
    # conversions and dtype queries take them
    assert isinstance(cupy.asarray(host), cupy.ndarray)
    assert cupy.result_type(host, device) == numpy.float32
