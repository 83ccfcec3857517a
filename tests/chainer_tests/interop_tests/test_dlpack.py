"""DLPack exchange: Variables and arrays to and from DLPack producers/consumers."""
import numpy
import pytest

import chainer
from chainer import backend


def test_variable_exports_through_dlpack_without_copy():
    v = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
    assert v.__dlpack_device__() == (1, 0)
    a = numpy.from_dlpack(v)
    assert numpy.shares_memory(a, v.array)
    v.array[0, 0] = 42  # NumPy 2.0's from_dlpack gives a read-only view; 2.1's a writable one
    assert a[0, 0] == 42


def test_parameter_exports_and_uninitialized_raises():
    p = chainer.Parameter(numpy.ones((3,), numpy.float64))
    assert numpy.shares_memory(numpy.from_dlpack(p), p.array)
    with pytest.raises(RuntimeError, match='no array'):
        chainer.Parameter().__dlpack__()


def test_backend_helpers():
    x = numpy.arange(4, dtype=numpy.int32)
    assert backend.dlpack_device(x) == (1, 0)
    assert backend.dlpack_device(chainer.Variable(x.astype(numpy.float32))) == (1, 0)
    y = backend.from_dlpack(x)
    assert numpy.shares_memory(x, y) and y.dtype == numpy.int32
    z = backend.from_dlpack(chainer.Variable(numpy.ones(2, numpy.float32)))
    assert isinstance(z, numpy.ndarray)
    assert type(backend.to_dlpack(x)).__name__ == 'PyCapsule'
    with pytest.raises(TypeError, match='DLPack'):
        backend.from_dlpack([1, 2])


def test_torch_roundtrip_shares_memory():
    torch = pytest.importorskip(
        'torch', reason="needs PyTorch (pip install torch; not part of the 'test' extra)")
    v = chainer.Variable(numpy.arange(6, dtype=numpy.float32))
    t = torch.from_dlpack(v)
    t[1] = -1
    assert v.array[1] == -1
    back = backend.from_dlpack(t)
    assert numpy.shares_memory(back, v.array)


@pytest.mark.gpu
def test_cupy_variable_exchanges_without_copy():
    import cupy
    v = chainer.Variable(cupy.arange(4, dtype=cupy.float32))
    assert v.__dlpack_device__()[0] == 2
    c = cupy.from_dlpack(v)
    c[0] = 7
    assert float(v.array[0]) == 7
    back = backend.from_dlpack(c)
    assert isinstance(back, cupy.ndarray)
    assert back.data.ptr == v.array.data.ptr
