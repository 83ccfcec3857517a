"""The N-d kernel front ends: C-expression builders, generated sources, and (on a
GPU) the compiled kernels against the NumPy path."""
from __future__ import annotations

import numpy
import pytest

import chainer.functions as F
from chainer.functions.pooling import average_pooling_nd_kernel as apk
from chainer.functions.pooling import max_pooling_nd_kernel as mpk
from chainer.functions.pooling import pooling_nd_kernel as pk
from chainer.utils import conv_nd_kernel as cnk
from tests.chainer_tests import _host_kernels


def test_mulexp_andexp():
    assert cnk.mulexp(['a', 'b', 'c']) == 'a * b * c'
    assert cnk.mulexp(['a', 'b'], 'n') == 'n * a * b'
    assert cnk.andexp(['x > 0', 'y > 0']) == 'x > 0 && y > 0'
    assert cnk.andexp([], 'true') == 'true'
    with pytest.raises(ValueError):
        cnk.mulexp([])


def test_muladdexp():
    assert cnk.muladdexp(['d0', 'd1'], ['y0', 'y1'], 'nc') == '(y1 + d1 * (y0 + d0 * nc))'
    assert cnk.muladdexp(['d0', 'd1'], ['y0', 'y1']) == '(y1 + d1 * y0)'
    assert cnk.muladdexp(['d0'], ['y0']) == 'y0'


def test_map_sublists_vars():
    assert cnk.map_(lambda a, b: a + b, ['a', 'b'], ['1', '2']) == ['a1', 'b2']
    assert cnk.succ_sublists(['a', 'b', 'c']) == [['a', 'b', 'c'], ['b', 'c'], ['c']]
    assert cnk.succ_sublists([]) == []
    assert cnk.vars('k', 3) == ['k_0', 'k_1', 'k_2']


def test_writer():
    w = cnk.Writer()
    w.write('for (;;) {', 'inc')
    w.write('x = 1;')
    w.write('} else {', 'decinc')
    w.write('x = 2;')
    w.write('}', 'dec')
    assert w.get() == 'for (;;) {\n  x = 1;\n} else {\n  x = 2;\n}'
    with pytest.raises(ValueError):
        w.write('x', 'sideways')


_CLASSES = {
    cnk.Im2colNDKernel: ('raw T x, int32 n, int32 c', 'T col'),
    cnk.Col2imNDKernel: ('raw T col, int32 n, int32 c', 'T img'),
    mpk.MaxPoolingNDKernelForward: ('raw T x, float64 ninf', 'T y, int32 widx'),
    mpk.MaxPoolingNDKernelBackward: ('raw T g, raw int32 widx', 'T gx'),
    mpk.MaxPoolingNDKernelForwardWithIndexes: ('raw T x, int32 widx', 'T y'),
    mpk.MaxPoolingNDKernelForwardWithIndexes1: ('raw T x, int32 widx', 'T y'),
    apk.AveragePoolingNDKernelForward: ('raw T x', 'T y'),
    apk.AveragePoolingNDKernelBackward: ('raw T g', 'T gx'),
}


@pytest.mark.parametrize('cls', list(_CLASSES), ids=lambda c: c.__name__)
@pytest.mark.parametrize('ndim', [1, 3])
def test_generated_parameters(cls, ndim):
    in_params, out_params, operation, name = cls.generate(ndim)
    head, outs = _CLASSES[cls]
    assert in_params.startswith(head)
    assert out_params == outs
    for group in ('d', 'o', 'k', 's', 'p'):
        assert f'int32 {group}{ndim - 1}' in in_params
        assert f'int32 {group}{ndim}' not in in_params
    assert f'_{ndim}d_' in name
    assert operation.startswith('typedef int wk_index;')
    assert cls.generate(ndim, 'long long')[2].startswith('typedef long long wk_index;')


def test_class_layout():
    assert issubclass(mpk.MaxPoolingNDKernelForward, pk.PoolingNDKernelForward)
    assert issubclass(apk.AveragePoolingNDKernelBackward, pk.PoolingNDKernelBackward)
    with pytest.raises(NotImplementedError):
        pk.PoolingNDKernelForward.generate(2)
    with pytest.raises(ValueError):
        cnk.Im2colNDKernel.generate(0)


def _compare_with_numpy(launch, to_device, to_host):
    """Runs the max/average pooling and im2col kernels through ``launch(cls, ndim,
    *args)`` and compares them with the NumPy functions."""
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((2, 3, 5, 4)).astype(numpy.float32)
    ksize, stride, pad = (2, 3), (2, 1), (1, 1)
    y_ref = F.max_pooling_2d(x, ksize, stride, pad).array
    outs = y_ref.shape[2:]
    xd = to_device(x)
    y = to_device(numpy.empty(y_ref.shape, numpy.float32))
    widx = to_device(numpy.empty(y_ref.shape, numpy.int32))
    launch(mpk.MaxPoolingNDKernelForward, 2,
           xd, -float('inf'), *x.shape[2:], *outs, *ksize, *stride, *pad, y, widx)
    numpy.testing.assert_array_equal(to_host(y), y_ref)

    s_ref = F.average_pooling_2d(x, ksize, stride, pad).array * numpy.float32(6)
    s = to_device(numpy.empty(s_ref.shape, numpy.float32))
    launch(apk.AveragePoolingNDKernelForward, 2,
           xd, *x.shape[2:], *s_ref.shape[2:], *ksize, *stride, *pad, s)
    numpy.testing.assert_allclose(to_host(s), s_ref, rtol=1e-5, atol=1e-5)

    n, c = x.shape[:2]
    col_ref = F.im2col(x, ksize, stride, pad).array
    outs = col_ref.shape[2:]
    col_ref = col_ref.reshape((n, c) + ksize + outs)
    col = to_device(numpy.empty((c,) + ksize + outs + (n,), numpy.float32))
    launch(cnk.Im2colNDKernel, 2,
           xd, n, c, *x.shape[2:], *outs, *ksize, *stride, *pad, 1, 1, col)
    numpy.testing.assert_array_equal(to_host(col), numpy.moveaxis(col_ref, 0, -1))


def test_generated_kernels_on_host(monkeypatch):
    """The generated sources, compiled as plain C++, against the NumPy path."""
    _host_kernels.route(monkeypatch)

    def launch(cls, ndim, *args):
        _host_kernels.HostElementwiseKernel(*cls.generate(ndim))(*args)

    _compare_with_numpy(launch, lambda a: a, lambda a: a)


@pytest.mark.gpu
def test_compiled_kernels_match_numpy():
    import cupy

    def launch(cls, ndim, *args):
        cls.kernel(ndim)(*args)

    _compare_with_numpy(launch, cupy.asarray, cupy.asnumpy)
