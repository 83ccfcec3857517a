"""The log of CuPy names and kernel launches that ``tests/cupy_check/check.py`` checks.

With ``RECHAINER_CUPY_LOG`` set, the host kernel harness records each distinct
successful launch, and the CuPy stand-in each name it serves.
"""
from __future__ import annotations

import json

import numpy
import pytest

from tests.chainer_tests import _host_kernels


@pytest.fixture
def log(tmp_path, monkeypatch):
    path = tmp_path / 'cupy-use.jsonl'
    monkeypatch.setattr(_host_kernels, 'CUPY_LOG', str(path))
    monkeypatch.setattr(_host_kernels, '_logged', set())

    def records():
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]
    return records


needs_cxx = pytest.mark.skipif(_host_kernels.CXX is None, reason='needs g++')


@needs_cxx
def test_elementwise_launch_is_logged_once_per_binding(log):
    kernel = _host_kernels.HostElementwiseKernel(
        'T x, raw T r, float32 c', 'T y', 'y = x * c + r[0]', 'log_test', preamble='// p')
    x = numpy.ones((2, 3), numpy.float32)
    r = numpy.ones(4, numpy.float32)
    kernel(x, r, 2.0)
    kernel(x, r, 3.0)  # the same binding: not logged again
    kernel(x.astype(numpy.float64), r.astype(numpy.float64), 2.0)
    first, second = log()
    assert first == {
        'kind': 'elementwise', 'in_params': 'T x, raw T r, float32 c', 'out_params': 'T y',
        'operation': 'y = x * c + r[0]', 'name': 'log_test', 'kwargs': {'preamble': '// p'},
        'args': [['array', '<f4', 2], ['array', '<f4', 1], ['scalar', 'float'], None],
        'call': {'size': None}}
    assert second['args'][:2] == [['array', '<f8', 2], ['array', '<f8', 1]]


@needs_cxx
def test_reduction_launch_is_logged(log):
    kernel = _host_kernels.HostReductionKernel(
        'T x', 'T y', 'x', 'a + b', 'y = a', '0', 'log_sum')
    kernel(numpy.ones((2, 3), numpy.float16), axis=1, keepdims=True)
    record, = log()
    assert record['kind'] == 'reduction'
    assert (record['map_expr'], record['reduce_expr'], record['post_map_expr'],
            record['identity']) == ('x', 'a + b', 'y = a', '0')
    assert record['args'] == [['array', '<f2', 2]]
    assert record['call'] == {'axis': [1], 'keepdims': True}


@needs_cxx
def test_refused_launch_is_not_logged(log):
    kernel = _host_kernels.HostElementwiseKernel('int32 t', 'T y', 'y = t', 'log_refused')
    with pytest.raises(TypeError):
        kernel(numpy.zeros(3, numpy.int64))
    assert log() == []


@needs_cxx
def test_raw_launch_is_logged_with_its_source(log):
    code = ('extern "C" __global__ void log_raw(float* y, const long long n) {\n'
            '    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n'
            '    if (i < n) y[i] = 1;\n}\n')
    kernel = _host_kernels.HostRawKernel(code, 'log_raw', options=('-DX',))
    y = numpy.zeros(4, numpy.float32)
    kernel((1,), (4,), (y, 4))
    kernel((2,), (2,), (y, 4))  # the same source: not logged again
    assert log() == [{'kind': 'raw', 'name': 'log_raw', 'code': code, 'options': ['-DX']}]


def test_nothing_is_logged_without_a_log_file(tmp_path, monkeypatch):
    monkeypatch.setattr(_host_kernels, 'CUPY_LOG', None)
    _host_kernels.log_record({'kind': 'name', 'name': 'cupy.exp'})
    assert list(tmp_path.iterdir()) == []


@pytest.fixture
def logging_stand_in(log, monkeypatch, cupy_stand_in):
    """The CuPy stand-in, logging what it serves to ``log`` (CuPy itself does not)."""
    cupy = cupy_stand_in
    monkeypatch.setattr(cupy, '_LOG_NAMES', True)
    monkeypatch.setattr(cupy, '_names_seen', set())
    return cupy


@pytest.mark.gpu
def test_stand_in_logs_the_cupy_names_it_serves(logging_stand_in, log):
    cupy = logging_stand_in
    import cupyx.scipy.special
    a = cupy.arange(4, dtype=numpy.float32)
    cupy.exp(a)
    numpy.add.at(a, cupy.arange(2), 1)  # a ufunc method, through __array_ufunc__
    numpy.concatenate([a, a])  # a NumPy function, through __array_function__
    a.cumsum()
    cupy.linalg.norm(a)
    cupy.random.RandomState(0).uniform(size=2)
    cupyx.scipy.special.erf(a)
    names = {r['name'] for r in log() if r['kind'] == 'name'}
    assert {'cupy.arange', 'cupy.exp', 'cupy.add.at', 'cupy.concatenate',
            'cupy.ndarray.cumsum', 'cupy.linalg.norm', 'cupy.random.RandomState.uniform',
            'cupyx.scipy.special.erf'} <= names


@pytest.mark.gpu
def test_stand_in_logs_ufunc_calls_by_operand_types(logging_stand_in, log):
    cupy = logging_stand_in
    a = cupy.arange(4, dtype=numpy.float32)
    2.0 - a  # a reflected operator: the scalar comes first
    a *= numpy.float16(3)
    a + 1e5  # beside an array, CuPy 13 binds the smallest type that holds the value
    -a
    cupy.exp(a, dtype=numpy.float64)
    a @ a  # matmul is no elementwise ufunc in CuPy: not logged as one
    cupy.where(a > 0, a, 0.5)  # where and clip are ufuncs inside CuPy
    a.clip(0, 1)
    calls = [(r['name'], r['inputs'], r['dtype']) for r in log() if r['kind'] == 'ufunc']
    assert calls == [
        ('subtract', [['python', 'float', '<f2'], ['array', '<f4']], None),
        ('multiply', [['array', '<f4'], ['scalar', '<f2', '<f2']], None),
        ('add', [['array', '<f4'], ['python', 'float', '<f4']], None),
        ('negative', [['array', '<f4']], None),
        ('exp', [['array', '<f4']], '<f8'),
        ('greater', [['array', '<f4'], ['python', 'int', '|u1']], None),
        ('where', [['array', '|b1'], ['array', '<f4'], ['python', 'float', '<f2']], None),
        ('clip', [['array', '<f4'], ['python', 'int', '|u1'], ['python', 'int', '|u1']], None),
    ]
