"""``x + y`` and ``x * y`` on CuPy: one raw kernel launch where it is safe, the ufunc elsewhere.

Runs on CuPy and on the CuPy stand-in (whose raw kernels run on the host).
"""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer.functions.math import basic_math

pytestmark = pytest.mark.gpu


@pytest.fixture
def raw_launches(monkeypatch):
    """The (op, dtype, arrays) of each raw kernel taken."""
    taken = []
    kernel = basic_math._raw_kernel

    def counting(op, dtype, arrays):
        taken.append((op, numpy.dtype(dtype).name, arrays))
        return kernel(op, dtype, arrays)
    monkeypatch.setattr(basic_math, '_raw_kernel', counting)
    return taken


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(1,), (255,), (256,), (257,), (3, 5, 7)])
def test_constants_match_numpy(cupy, raw_launches, dtype, shape):
    x = numpy.random.default_rng(0).uniform(-1, 1, shape).astype(dtype)
    v = chainer.Variable(cupy.asarray(x))
    y = v * 1.0001 + 0.25
    name = numpy.dtype(dtype).name
    assert raw_launches == [('*', name, False), ('+', name, False)]
    assert y.dtype == dtype and y.shape == shape
    numpy.testing.assert_array_equal(cupy.asnumpy(y.array), x * dtype(1.0001) + dtype(0.25))
    y.grad = cupy.ones(shape, dtype)
    y.backward()
    numpy.testing.assert_array_equal(cupy.asnumpy(v.grad),
                                     numpy.full(shape, dtype(1.0001), dtype))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(), (1,), (257,), (3, 5, 7)])
def test_arrays_match_numpy(cupy, raw_launches, dtype, shape):
    rng = numpy.random.default_rng(1)
    a, b = (rng.uniform(-1, 1, shape).astype(dtype) for _ in range(2))
    va, vb = chainer.Variable(cupy.asarray(a)), chainer.Variable(cupy.asarray(b))
    s, p = va + vb, va * vb
    name = numpy.dtype(dtype).name
    assert raw_launches == [('+', name, True), ('*', name, True)]
    assert type(s.array) is cupy.ndarray and s.shape == shape and p.dtype == dtype
    numpy.testing.assert_array_equal(cupy.asnumpy(s.array), a + b)
    numpy.testing.assert_array_equal(cupy.asnumpy(p.array), a * b)


def test_gradients_through_raw_kernels(cupy):
    rng = numpy.random.default_rng(2)
    a, b, gy, gga, ggb = (cupy.asarray(rng.uniform(-1, 1, (4, 3))) for _ in range(5))

    def f(x, y):
        return (x * y + x) * 1.5 + 0.5

    gradient_check.check_backward(f, (a, b), gy)
    gradient_check.check_double_backward(f, (a, b), gy, (gga, ggb))


def test_integer_value_and_empty_array(cupy, raw_launches):
    y = chainer.Variable(cupy.zeros((0, 3), numpy.float32)) * 2
    assert y.shape == (0, 3) and y.dtype == numpy.float32
    x = cupy.arange(5, dtype=numpy.float64)
    numpy.testing.assert_array_equal(cupy.asnumpy((chainer.Variable(x) + 3).array),
                                     numpy.arange(5.0) + 3)
    assert raw_launches == [('+', 'float64', False)]  # an empty array launches nothing


@pytest.mark.parametrize('case', ['float16', 'strided', 'numpy scalar', 'broadcast',
                                  'mixed dtypes', 'switched off'])
def test_ufunc_where_the_raw_kernel_does_not_apply(cupy, raw_launches, monkeypatch, case):
    x = numpy.linspace(-1, 1, 12, dtype=numpy.float32).reshape(3, 4)
    other = 2.5
    if case == 'float16':
        x = x.astype(numpy.float16)
    if case == 'numpy scalar':
        other = numpy.float64(2.5)  # still cast to the dtype of x, as Chainer does
    if case == 'broadcast':
        other = numpy.arange(4, dtype=numpy.float32)
    if case == 'mixed dtypes':
        x = x.astype(numpy.float64)
        other = numpy.ones((3, 4), numpy.float32)
    if case == 'switched off':
        monkeypatch.setattr(basic_math, '_USE_RAW_KERNELS', False)
    a = cupy.asarray(x)
    if case == 'strided':
        a, x = a[:, ::2], x[:, ::2]
    v = chainer.Variable(a)
    if isinstance(other, numpy.ndarray):
        if case == 'mixed dtypes':
            # Variables of two dtypes do not multiply; the arrays reach Mul alone.
            y, = basic_math.Mul().forward((a, cupy.asarray(other)))
        else:
            y = (v * chainer.Variable(cupy.asarray(other))).array
        expected = x * other
    else:
        y = (v * other).array
        expected = x * x.dtype.type(other)
    assert raw_launches == []
    assert y.dtype == expected.dtype
    numpy.testing.assert_array_equal(cupy.asnumpy(y), expected)


def test_ufunc_for_an_array_on_another_device(cupy, raw_launches, monkeypatch):
    a = cupy.arange(4, dtype=numpy.float32)
    monkeypatch.setattr(basic_math.cuda.cupy.cuda.runtime, 'getDevice',
                        lambda: a.data.device_id + 1)
    assert basic_math._gpu_raw_op(a, '*', 2.0) is None
    assert basic_math._gpu_raw_op(a, '+', a) is None
    assert raw_launches == []
