"""Where a GPU may give other answers than NumPy, the CuPy stand-in does too.

Rounding: a GPU computes math functions to a few ulps and sums in another order, so a
gpu test that compares such a result with NumPy's exactly fails on the device
while it passes on a stand-in that is NumPy underneath. The stand-in therefore
moves inexact float results a few ulps (``RECHAINER_STAND_IN_ULPS``); exact
ones (copies, selections, correctly rounded arithmetic, sums of small integers)
stay as they are. The first test holds on CuPy too.

Random streams: CuPy's generator draws other numbers than NumPy's for the same
seed; so does the stand-in's, which has a stream of its own.

Repeated writes: of several writes to one element through an index array,
CuPy leaves undefined which one wins and NumPy keeps the last; the stand-in
keeps the first, so code that relies on NumPy's order fails here.

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


def test_first_of_repeated_writes_wins(cupy_stand_in):
    cupy = cupy_stand_in
    a = cupy.zeros((3, 2), numpy.float32)
    a[cupy.asarray(numpy.array([0, 2, 0]))] = cupy.asarray(
        numpy.array([[1, 2], [3, 4], [5, 6]], numpy.float32))
    numpy.testing.assert_array_equal(cupy.asnumpy(a), [[1, 2], [0, 0], [3, 4]])
    b = cupy.zeros((2, 2), numpy.float32)
    b[numpy.array([1, 1]), numpy.array([0, 0])] = cupy.asarray(
        numpy.array([7, 8], numpy.float32))
    b[numpy.array([0]), numpy.array([1])] = 9  # a scalar broadcasts as before
    numpy.testing.assert_array_equal(cupy.asnumpy(b), [[0, 9], [7, 0]])


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
