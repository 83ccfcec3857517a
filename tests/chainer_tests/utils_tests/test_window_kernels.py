"""The fused CUDA window kernels, checked without a GPU.

Each kernel's source is compiled as plain C++ on the host
(``tests/chainer_tests/_host_kernels.py``) and run on NumPy arrays through the same
launch wrappers the CuPy path uses; the results are compared with the NumPy code
paths of convolution and pooling.  Without a C++ compiler the tests skip; the
``gpu`` tests run the real kernels.
"""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.connection import convolution_nd
from chainer.functions.pooling import pooling_nd
from chainer.utils import _window_kernels as wk
from tests.chainer_tests import _host_kernels


class _Launches:
    """The names of the kernels launched on the host since the test began."""

    @property
    def launched(self) -> list:
        return _host_kernels.launched


@pytest.fixture
def host(monkeypatch):
    """Routes kernel launches to the host compiler."""
    _host_kernels.route(monkeypatch)
    return _Launches()


@pytest.fixture(params=[('int', numpy.float32), ('int', numpy.float64),
                        ('long long', numpy.float32)], ids=['i32-f32', 'i32-f64', 'i64-f32'])
def variant(request, monkeypatch):
    """``(index type, dtype)``: the index type is forced for every launch."""
    index, dtype = request.param
    if index != 'int':
        monkeypatch.setattr(wk, 'index_type', lambda *sizes: index)
    return index, dtype


# (ksize, stride, pad, dilate, cover_all) per number of spatial axes
_CONV_CASES = [
    ((3,), (1,), (0,), (1,), False),
    ((2,), (3,), (1,), (2,), True),
    ((3, 2), (1, 2), (1, 0), (1, 1), False),
    ((2, 3), (3, 1), (2, 1), (2, 1), True),
    ((1, 1), (2, 2), (0, 0), (1, 1), False),
    ((2, 1, 2), (1, 2, 2), (1, 0, 1), (1, 2, 1), True),
]


def _dims_for(nd):
    return (7, 6, 5)[:nd]


def _out_dims(dims, ksize, stride, pad, dilate, cover_all):
    return tuple(chainer.utils.conv.get_conv_outsize(d, k, s, p, cover_all, dl)
                 for d, k, s, p, dl in zip(dims, ksize, stride, pad, dilate))


def _conv_case(case):
    """``(ksize, stride, pad, dilate, dims, out_dims)`` of a ``_CONV_CASES`` entry."""
    ksize, stride, pad, dilate, cover_all = case
    dims = _dims_for(len(ksize))
    return ksize, stride, pad, dilate, dims, _out_dims(dims, ksize, stride, pad, dilate,
                                                       cover_all)


@pytest.mark.parametrize('case', _CONV_CASES)
def test_im2col_matches_numpy(host, variant, case):
    index_type, dtype = variant
    ksize, stride, pad, dilate, dims, out = _conv_case(case)
    x = numpy.random.uniform(-1, 1, (2, 3) + dims).astype(dtype)
    expect = convolution_nd._patch_matrix(x, ksize, stride, pad, dilate, out)
    got = wk.im2col(x, ksize, stride, pad, dilate, out)
    numpy.testing.assert_array_equal(got.reshape(expect.shape), expect)
    assert host.launched == [wk.im2col_spec(len(ksize), index_type)[3]]


@pytest.mark.parametrize('case', _CONV_CASES)
def test_col2im_matches_numpy(host, variant, case):
    index_type, dtype = variant
    ksize, stride, pad, dilate, dims, out = _conv_case(case)
    col = numpy.random.uniform(-1, 1, (3,) + ksize + out + (2,)).astype(dtype)
    expect = convolution_nd._col2im_batch_last(col, stride, pad, dilate, dims)
    got = wk.col2im(col, stride, pad, dilate, dims)
    numpy.testing.assert_allclose(got, expect, rtol=1e-6, atol=1e-6)
    assert got.shape == expect.shape and got.dtype == expect.dtype


@pytest.mark.parametrize('bias', [False, True])
@pytest.mark.parametrize('dtypes', [(numpy.float32, numpy.float16), (numpy.float64, numpy.float32),
                                    (numpy.float32, numpy.float32)])
@pytest.mark.parametrize('shape', [(3, 4, 2), (3, 5, 4, 2), (2, 1)])
def test_batch_first_matches_numpy(host, bias, dtypes, shape):
    compute, dtype = dtypes
    y = numpy.random.uniform(-1, 1, shape).astype(compute)
    b = numpy.random.uniform(-1, 1, shape[:1]).astype(dtype) if bias else None
    expect = numpy.moveaxis(y, -1, 0).astype(dtype)
    if bias:
        expect = expect + b.reshape((1, -1) + (1,) * (len(shape) - 2))
    got = wk.batch_first(y, b, numpy.dtype(dtype))
    assert got.dtype == dtype and got.flags.c_contiguous
    # The bias is added before rounding to ``dtype`` (NumPy rounds twice).
    tol = 1e-3 if dtype == numpy.float16 else 1e-6
    numpy.testing.assert_allclose(got, expect, rtol=tol, atol=tol)


# (ksize, stride, pad, cover_all) per number of spatial axes
_POOL_CASES = [
    ((3,), (2,), (1,), True),
    ((2,), (3,), (0,), False),
    ((2, 2), (2, 2), (0, 0), True),
    ((3, 2), (1, 2), (1, 1), False),
    ((2, 3), (3, 1), (1, 2), True),
    ((3, 3), (2, 2), (2, 2), True),
    ((2, 2, 3), (1, 2, 2), (1, 0, 1), True),
]


def _pool_out(dims, ksize, stride, pad, cover_all):
    return pooling_nd.pooling_out_dims(dims, ksize, stride, pad, cover_all)


def _pool_input(dims, dtype, ties: bool):
    shape = (2, 3) + dims
    if ties:
        # Few distinct values make ties common; a -inf and a NaN exercise the edge rules.
        x = numpy.random.randint(-2, 3, shape).astype(dtype)
        x.flat[1] = -numpy.inf
        x.flat[x.size // 2] = numpy.nan
        return x
    return numpy.random.uniform(-1, 1, shape).astype(dtype)


_DTYPES = [numpy.float16, numpy.float32, numpy.float64]


@pytest.mark.parametrize('case', _POOL_CASES)
@pytest.mark.parametrize('dtype', _DTYPES)
@pytest.mark.parametrize('ties', [False, True])
def test_max_pool_matches_numpy(host, case, dtype, ties):
    ksize, stride, pad, cover_all = case
    dims = _dims_for(len(ksize))
    out = _pool_out(dims, ksize, stride, pad, cover_all)
    x = _pool_input(dims, dtype, ties)
    y0, i0 = pooling_nd.window_max(x, ksize, stride, pad, out)
    y1, i1 = wk.max_pool(x, ksize, stride, pad, out)
    assert y1.dtype == y0.dtype and i1.dtype == i0.dtype == numpy.int32
    numpy.testing.assert_array_equal(y1, y0)
    numpy.testing.assert_array_equal(i1, i0)


@pytest.mark.parametrize('case', _POOL_CASES)
def test_window_pick_and_indexed_spread_match_numpy(host, variant, case):
    index_type, dtype = variant
    ksize, stride, pad, cover_all = case
    dims = _dims_for(len(ksize))
    out = _pool_out(dims, ksize, stride, pad, cover_all)
    x = numpy.random.uniform(-1, 1, (2, 3) + dims).astype(dtype)
    size = int(numpy.prod(ksize))
    # Out-of-window offsets (-1, size) pick nothing.
    indexes = numpy.random.randint(-1, size + 1, (2, 3) + out).astype(numpy.int32)
    numpy.testing.assert_array_equal(
        wk.window_pick(x, indexes, ksize, stride, pad),
        pooling_nd.window_gather(x, indexes, ksize, stride, pad))
    g = numpy.random.uniform(-1, 1, (2, 3) + out).astype(dtype)
    numpy.testing.assert_allclose(
        wk.window_spread(g, ksize, stride, pad, dims, indexes),
        pooling_nd.window_scatter(g, indexes, ksize, stride, pad, dims), rtol=1e-6)


@pytest.mark.parametrize('case', _POOL_CASES)
@pytest.mark.parametrize('dtype', _DTYPES)
def test_window_sum_and_spread_match_numpy(host, case, dtype):
    ksize, stride, pad, cover_all = case
    dims = _dims_for(len(ksize))
    out = _pool_out(dims, ksize, stride, pad, cover_all)
    tol = {'rtol': 1e-2, 'atol': 1e-2} if dtype == numpy.float16 else {'rtol': 1e-6}
    x = numpy.random.uniform(-1, 1, (2, 3) + dims).astype(dtype)
    y = wk.window_sum(x, ksize, stride, pad, out)
    assert y.dtype == x.dtype
    numpy.testing.assert_allclose(y, pooling_nd.window_sum(x, ksize, stride, pad, out), **tol)
    g = numpy.random.uniform(-1, 1, (2, 3) + out).astype(dtype)
    gx = wk.window_spread(g, ksize, stride, pad, dims)
    assert gx.dtype == g.dtype
    numpy.testing.assert_allclose(gx, pooling_nd.window_spread(g, ksize, stride, pad, dims),
                                  **tol)


def test_index_type():
    assert wk.index_type(3, 2 ** 31 - 1) == 'int'
    assert wk.index_type(2 ** 31) == 'long long'
    assert wk.acc_type(numpy.float16) == 'float'
    assert wk.acc_type(numpy.float32) == 'T'


# ----------------------------------------------------------------------------
# Whole functions through the fused code paths (NumPy arrays, host kernels)
# ----------------------------------------------------------------------------

@pytest.fixture
def fused(host, monkeypatch):
    """Makes the convolution and pooling modules take their fused paths on NumPy."""
    monkeypatch.setattr(convolution_nd, '_fused', lambda xp: True)
    monkeypatch.setattr(pooling_nd, '_fused', lambda xp: True)
    return host


def _run_both(fused, monkeypatch, f, inputs, grads):
    """Forward and backward of ``f`` with and without the fused kernels."""
    results = []
    for use in (False, True):
        with monkeypatch.context() as m:
            if not use:
                m.setattr(convolution_nd, '_fused', lambda xp: False)
                m.setattr(pooling_nd, '_fused', lambda xp: False)
            vs = [chainer.Variable(a.copy()) for a in inputs]
            y = f(*vs)
            y.grad = grads.copy()
            y.backward()
            results.append([y.array] + [v.grad for v in vs])
    return results


@pytest.mark.parametrize('groups', [1, 3])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_convolution_through_fused_path(fused, monkeypatch, groups, dtype):
    x = numpy.random.uniform(-1, 1, (2, 6, 7, 6)).astype(dtype)
    W = numpy.random.uniform(-1, 1, (6, 6 // groups, 3, 2)).astype(dtype)
    b = numpy.random.uniform(-1, 1, (6,)).astype(dtype)

    def f(x, W, b):
        return F.convolution_2d(x, W, b, stride=(2, 1), pad=(1, 2), cover_all=True,
                                dilate=(1, 2), groups=groups)

    gy_shape = f(x, W, b).shape
    gy = numpy.random.uniform(-1, 1, gy_shape).astype(dtype)
    (y0, *g0), (y1, *g1) = _run_both(fused, monkeypatch, f, [x, W, b], gy)
    tol = {'rtol': 1e-2, 'atol': 1e-2} if dtype == numpy.float16 else {'rtol': 1e-5}
    for a, e in zip([y1] + g1, [y0] + g0):
        assert a.dtype == e.dtype
        numpy.testing.assert_allclose(a, e, **tol)
    assert {'chainer_im2col_2d_i32', 'chainer_col2im_2d_i32',
            'chainer_batch_first_bias_i32'} <= set(fused.launched)


def test_deconvolution_through_fused_path(fused, monkeypatch):
    x = numpy.random.uniform(-1, 1, (2, 4, 3, 5)).astype(numpy.float32)
    W = numpy.random.uniform(-1, 1, (4, 3, 3, 2)).astype(numpy.float32)

    def f(x, W):
        return F.deconvolution_2d(x, W, stride=2, pad=1)

    gy = numpy.random.uniform(-1, 1, f(x, W).shape).astype(numpy.float32)
    (y0, *g0), (y1, *g1) = _run_both(fused, monkeypatch, f, [x, W], gy)
    for a, e in zip([y1] + g1, [y0] + g0):
        numpy.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('name', ['max', 'average', 'average_none', 'unpooling'])
def test_pooling_through_fused_path(fused, monkeypatch, name):
    x = numpy.random.uniform(-1, 1, (2, 3, 7, 6)).astype(numpy.float32)
    f = {
        'max': lambda x: F.max_pooling_2d(x, 3, 2, 1),
        'average': lambda x: F.average_pooling_2d(x, 3, 2, 1),
        'average_none': lambda x: F.average_pooling_nd(x, 3, 2, 1, pad_value=None),
        'unpooling': lambda x: F.unpooling_2d(x, 2, 2, 1),
    }[name]
    gy = numpy.random.uniform(-1, 1, f(x).shape).astype(numpy.float32)
    (y0, g0), (y1, g1) = _run_both(fused, monkeypatch, f, [x], gy)
    numpy.testing.assert_allclose(y1, y0, rtol=1e-6)
    numpy.testing.assert_allclose(g1, g0, rtol=1e-6, atol=1e-7)


def test_max_pooling_double_backward_through_fused_path(fused, monkeypatch):
    x = numpy.random.uniform(-1, 1, (2, 3, 6, 5)).astype(numpy.float64)
    gy = numpy.random.uniform(-1, 1, (2, 3, 4, 4))
    ggx = numpy.random.uniform(-1, 1, x.shape)
    results = []
    for use in (False, True):
        with monkeypatch.context() as m:
            if not use:
                m.setattr(pooling_nd, '_fused', lambda xp: False)
            xv = chainer.Variable(x.copy())
            y = F.max_pooling_2d(xv, 2, 2, 1)
            gyv = chainer.Variable(gy.copy())
            gx, = chainer.grad([y], [xv], [gyv], enable_double_backprop=True)
            ggy, = chainer.grad([gx], [gyv], [chainer.Variable(ggx)])
            results.append((y.array, gx.array, ggy.array))
    for a, e in zip(*results):
        numpy.testing.assert_array_equal(a, e)
    assert 'chainer_window_pick_2d_i32' in fused.launched


def test_kernel_names_are_distinct():
    specs = [f(nd, idx) for nd in (1, 2, 3) for idx in ('int', 'long long')
             for f in (wk.im2col_spec, wk.col2im_spec, wk.window_pick_spec)]
    specs += [f(nd, idx, acc) for nd in (1, 2, 3) for idx in ('int', 'long long')
              for acc in ('T', 'float')
              for f in (wk.max_pool_spec, wk.window_sum_spec, wk.window_spread_spec)]
    specs += [wk.window_spread_spec(2, indexed=True)]
    specs += [wk.batch_first_spec(idx, bias) for idx in ('int', 'long long')
              for bias in (False, True)]
    assert len({s[3] for s in specs}) == len(specs)


# ----------------------------------------------------------------------------
# The real kernels on the GPU against the NumPy code paths
# ----------------------------------------------------------------------------

@pytest.mark.gpu
@pytest.mark.parametrize('index', ['int', 'long long'])
def test_gpu_kernels_match_numpy(monkeypatch, index):
    cupy = pytest.importorskip('cupy')
    if index != 'int':
        monkeypatch.setattr(wk, 'index_type', lambda *sizes: index)
    for case in _CONV_CASES:
        ksize, stride, pad, dilate, dims, out = _conv_case(case)
        for dtype in (numpy.float32, numpy.float64):
            x = numpy.random.uniform(-1, 1, (2, 3) + dims).astype(dtype)
            col = numpy.random.uniform(-1, 1, (3,) + ksize + out + (2,)).astype(dtype)
            got = wk.im2col(cupy.asarray(x), ksize, stride, pad, dilate, out)
            numpy.testing.assert_array_equal(
                cupy.asnumpy(got).reshape(-1),
                convolution_nd._patch_matrix(x, ksize, stride, pad, dilate, out).reshape(-1))
            got = wk.col2im(cupy.asarray(col), stride, pad, dilate, dims)
            numpy.testing.assert_allclose(
                cupy.asnumpy(got),
                convolution_nd._col2im_batch_last(col, stride, pad, dilate, dims),
                rtol=1e-5, atol=1e-6)
    for compute, dtype in ((numpy.float32, numpy.float16), (numpy.float64, numpy.float64)):
        y = numpy.random.uniform(-1, 1, (3, 5, 4, 2)).astype(compute)
        b = numpy.random.uniform(-1, 1, (3,)).astype(dtype)
        got = wk.batch_first(cupy.asarray(y), cupy.asarray(b), numpy.dtype(dtype))
        expect = numpy.moveaxis(y, -1, 0).astype(dtype) + b[:, None, None]
        numpy.testing.assert_allclose(cupy.asnumpy(got), expect, rtol=1e-3, atol=1e-3)
        got = wk.batch_first(cupy.asarray(y), None, numpy.dtype(dtype))
        numpy.testing.assert_array_equal(cupy.asnumpy(got), numpy.moveaxis(y, -1, 0).astype(dtype))
    for ksize, stride, pad, cover_all in _POOL_CASES:
        dims = _dims_for(len(ksize))
        out = _pool_out(dims, ksize, stride, pad, cover_all)
        for dtype in _DTYPES:
            tol = {'rtol': 1e-2, 'atol': 1e-2} if dtype == numpy.float16 else {'rtol': 1e-5}
            for ties in (False, True):
                x = _pool_input(dims, dtype, ties)
                y, i = wk.max_pool(cupy.asarray(x), ksize, stride, pad, out)
                y0, i0 = pooling_nd.window_max(x, ksize, stride, pad, out)
                numpy.testing.assert_array_equal(cupy.asnumpy(y), y0)
                numpy.testing.assert_array_equal(cupy.asnumpy(i), i0)
            x = numpy.random.uniform(-1, 1, (2, 3) + dims).astype(dtype)
            g = numpy.random.uniform(-1, 1, (2, 3) + out).astype(dtype)
            size = int(numpy.prod(ksize))
            idx = numpy.random.randint(-1, size + 1, g.shape).astype(numpy.int32)
            xg, gg, ig = cupy.asarray(x), cupy.asarray(g), cupy.asarray(idx)
            numpy.testing.assert_array_equal(
                cupy.asnumpy(wk.window_pick(xg, ig, ksize, stride, pad)),
                pooling_nd.window_gather(x, idx, ksize, stride, pad))
            numpy.testing.assert_allclose(
                cupy.asnumpy(wk.window_spread(gg, ksize, stride, pad, dims, ig)),
                pooling_nd.window_scatter(g, idx, ksize, stride, pad, dims), **tol)
            numpy.testing.assert_allclose(
                cupy.asnumpy(wk.window_sum(xg, ksize, stride, pad, out)),
                pooling_nd.window_sum(x, ksize, stride, pad, out), **tol)
            numpy.testing.assert_allclose(
                cupy.asnumpy(wk.window_spread(gg, ksize, stride, pad, dims)),
                pooling_nd.window_spread(g, ksize, stride, pad, dims), **tol)


@pytest.mark.gpu
@pytest.mark.parametrize('fused', [True, False])
def test_gpu_lenet_step_matches_numpy(monkeypatch, fused):
    """A small LeNet-style forward/backward on CuPy equals the NumPy one, with the
    fused kernels on and switched off."""
    cupy = pytest.importorskip('cupy')
    monkeypatch.setattr(convolution_nd, '_USE_FUSED_GPU_KERNELS', fused)
    monkeypatch.setattr(pooling_nd, '_USE_FUSED_GPU_KERNELS', fused)
    rng = numpy.random.default_rng(0)
    arrays = [rng.standard_normal(s).astype(numpy.float32) * 0.3 for s in
              [(3, 1, 16, 16), (4, 1, 5, 5), (4,), (5, 4, 3, 3), (5,)]]

    def run(xp_arrays):
        x, W1, b1, W2, b2 = [chainer.Variable(a) for a in xp_arrays]
        h = F.max_pooling_2d(F.relu(F.convolution_2d(x, W1, b1)), 2)
        h = F.average_pooling_2d(F.relu(F.convolution_2d(h, W2, b2, pad=1)), 2)
        loss = F.sum(h * h)
        loss.backward()
        return [chainer.backend.CpuDevice().send(v) for v in
                (loss.array, x.grad, W1.grad, b1.grad, W2.grad, b2.grad)]

    expect = run(arrays)
    got = run([cupy.asarray(a) for a in arrays])
    for a, e in zip(got, expect):
        numpy.testing.assert_allclose(a, e, rtol=1e-4, atol=1e-5)


def test_empty_outputs_launch_nothing():
    # Without CuPy a launch would raise: empty outputs must return before it.
    x = numpy.zeros((0, 2, 4, 4), numpy.float32)
    assert wk.im2col(x, (2, 2), (1, 1), (0, 0), (1, 1), (3, 3)).shape == (2, 2, 2, 3, 3, 0)
    col = numpy.zeros((2, 2, 2, 3, 3, 0), numpy.float32)
    assert wk.col2im(col, (1, 1), (0, 0), (1, 1), (4, 4)).shape == (0, 2, 4, 4)
    y, indexes = wk.max_pool(x, (2, 2), (2, 2), (0, 0), (2, 2))
    assert y.shape == indexes.shape == (0, 2, 2, 2)
    assert wk.window_sum(x, (2, 2), (2, 2), (0, 0), (2, 2)).shape == (0, 2, 2, 2)
    g = numpy.zeros((0, 2, 2, 2), numpy.float32)
    assert wk.window_spread(g, (2, 2), (2, 2), (0, 0), (4, 4)).shape == (0, 2, 4, 4)
