"""``x + c`` and ``x * c`` on CuPy: one raw kernel launch where it is safe, the ufunc elsewhere.

Runs on CuPy and on the CuPy stand-in (whose raw kernels run on the host).
"""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer.functions.math import basic_math

pytestmark = pytest.mark.gpu


@pytest.fixture
def cupy():
    return pytest.importorskip('cupy')


@pytest.fixture
def raw_launches(monkeypatch):
    """The (op, dtype) of each raw scalar kernel taken."""
    taken = []
    kernel = basic_math._raw_scalar_kernel

    def counting(op, dtype):
        taken.append((op, numpy.dtype(dtype).name))
        return kernel(op, dtype)
    monkeypatch.setattr(basic_math, '_raw_scalar_kernel', counting)
    return taken


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(1,), (255,), (256,), (257,), (3, 5, 7)])
def test_raw_kernels_match_numpy(cupy, raw_launches, dtype, shape):
    x = numpy.random.default_rng(0).uniform(-1, 1, shape).astype(dtype)
    v = chainer.Variable(cupy.asarray(x))
    y = v * 1.0001 + 0.25
    assert raw_launches == [('*', numpy.dtype(dtype).name), ('+', numpy.dtype(dtype).name)]
    assert y.dtype == dtype and y.shape == shape
    expected = x * dtype(1.0001) + dtype(0.25)
    numpy.testing.assert_array_equal(cupy.asnumpy(y.array), expected)
    y.grad = cupy.ones(shape, dtype)
    y.backward()
    numpy.testing.assert_array_equal(cupy.asnumpy(v.grad),
                                     numpy.full(shape, dtype(1.0001), dtype))


def test_integer_value_and_empty_array(cupy, raw_launches):
    y = chainer.Variable(cupy.zeros((0, 3), numpy.float32)) * 2
    assert y.shape == (0, 3) and y.dtype == numpy.float32
    x = cupy.arange(5, dtype=numpy.float64)
    numpy.testing.assert_array_equal(cupy.asnumpy((chainer.Variable(x) + 3).array),
                                     numpy.arange(5.0) + 3)
    assert raw_launches == [('+', 'float64')]  # an empty array launches nothing


@pytest.mark.parametrize('case', ['float16', 'strided', 'numpy scalar', 'switched off'])
def test_ufunc_where_the_raw_kernel_does_not_apply(cupy, raw_launches, monkeypatch, case):
    x = numpy.linspace(-1, 1, 12, dtype=numpy.float32).reshape(3, 4)
    value = 2.5
    if case == 'float16':
        x = x.astype(numpy.float16)
    if case == 'numpy scalar':
        value = numpy.float64(2.5)  # still cast to the dtype of x, as Chainer does
    if case == 'switched off':
        monkeypatch.setattr(basic_math, '_USE_RAW_SCALAR_KERNELS', False)
    a = cupy.asarray(x)
    if case == 'strided':
        a, x = a[:, ::2], x[:, ::2]
    y = chainer.Variable(a) * value
    assert raw_launches == []
    assert y.dtype == x.dtype
    numpy.testing.assert_array_equal(cupy.asnumpy(y.array), x * x.dtype.type(value))


def test_ufunc_for_an_array_on_another_device(cupy, raw_launches, monkeypatch):
    a = cupy.arange(4, dtype=numpy.float32)
    monkeypatch.setattr(basic_math.cuda.cupy.cuda.runtime, 'getDevice',
                        lambda: a.data.device_id + 1)
    assert basic_math._gpu_scalar_op(a, '*', 2.0) is None
    assert raw_launches == []
