"""The host harness runs ``cupy.RawKernel`` sources as CUDA would launch them."""
from __future__ import annotations

import numpy
import pytest

from tests.chainer_tests import _host_kernels

pytestmark = pytest.mark.skipif(_host_kernels.CXX is None, reason='needs g++')

_SAXPY = '''
extern "C" __global__ void saxpy(const float* x, const float a, float* y, const long long n) {
    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;
    if (i < n) y[i] = a * x[i] + y[i] + (float)gridDim.x;
}
'''


@pytest.mark.parametrize('n', [1, 7, 8, 9, 30])
def test_every_thread_of_the_grid_runs(n):
    kernel = _host_kernels.HostRawKernel(_SAXPY, 'saxpy')
    x = numpy.arange(n, dtype=numpy.float32)
    y = numpy.ones(n, numpy.float32)
    grid = (n + 7) // 8
    kernel((grid,), (8,), (x, numpy.float32(2), y, n))  # a Python int passes as int64
    numpy.testing.assert_array_equal(y, 2 * x + 1 + grid)
    assert _host_kernels.launched[-1] == 'saxpy'


def test_bad_launches_are_refused():
    kernel = _host_kernels.HostRawKernel(_SAXPY, 'saxpy')
    x = numpy.zeros(4, numpy.float32)
    with pytest.raises(TypeError):
        kernel((1,), (4,), (x, numpy.float32(2), x))
    with pytest.raises(ValueError):
        kernel((1,), (4,), (x[::2], numpy.float32(2), x[:2], 2))
    with pytest.raises(NotImplementedError):
        kernel((1, 1), (4,), (x, numpy.float32(2), x, 4))
    with pytest.raises(ValueError):
        _host_kernels.HostRawKernel(_SAXPY, 'other_name')
