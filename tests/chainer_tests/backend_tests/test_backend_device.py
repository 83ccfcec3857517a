"""chainer.backend: devices, device specifiers, array modules."""
import collections
import pickle

import numpy
import pytest

import chainer
import chainerx
from chainer import _backend
from chainer import backend
from chainer.backends import cuda

requires_no_cupy = pytest.mark.skipif(cuda.available, reason='CuPy is installed')

API_NAMES = [
    'ChainerxDevice', 'CpuDevice', 'Device', 'GpuDevice', 'Intel64Device', 'copyto',
    'from_chx', 'get_array_module', 'get_device', 'get_device_from_array', 'to_chx',
    'using_device',
]


@pytest.mark.parametrize('name', API_NAMES)
def test_public_names(name):
    assert hasattr(backend, name)


def test_device_classes_are_devices():
    for cls in (backend.CpuDevice, backend.GpuDevice, backend.Intel64Device,
                backend.ChainerxDevice):
        assert issubclass(cls, backend.Device)
    assert backend.Device is _backend.Device


# -- CpuDevice ----------------------------------------------------------------

def test_cpu_device_basics():
    d = backend.CpuDevice()
    assert d.xp is numpy
    assert d.name == '@numpy'
    assert str(d) == '@numpy'
    assert repr(d) == '<CpuDevice (numpy)>'
    assert d.supported_array_types == (numpy.ndarray,)
    assert d.is_array_supported(numpy.ones(2))
    assert not d.is_array_supported([1, 2])
    d.use()


def test_cpu_device_equality_and_hash():
    a, b = backend.CpuDevice(), backend.CpuDevice()
    assert a == b
    assert not (a != b)
    assert hash(a) == hash(b)
    assert len({a, b}) == 1
    assert a != 'numpy'
    assert a != object()


def test_cpu_device_pickle():
    d = pickle.loads(pickle.dumps(backend.CpuDevice()))
    assert d == backend.CpuDevice()


def test_cpu_device_context():
    d = backend.CpuDevice()
    with d as entered:
        assert entered is d
        with d:
            pass
    with d.create_context():
        pass


def test_cpu_send_array_passthrough():
    d = backend.CpuDevice()
    a = numpy.arange(3, dtype=numpy.float32)
    assert d.send(a) is a
    assert d.send_array(a) is a


@pytest.mark.parametrize('value, dtype', [
    (numpy.float32(1.5), numpy.float32),
    (numpy.int64(3), numpy.int64),
    (numpy.bool_(True), numpy.bool_),
    (2.5, numpy.float64),
])
def test_cpu_send_scalar_becomes_0d_array(value, dtype):
    out = backend.CpuDevice().send(value)
    assert isinstance(out, numpy.ndarray)
    assert out.shape == ()
    assert out.dtype == dtype
    assert out == value


def test_cpu_send_nested():
    d = backend.CpuDevice()
    a = numpy.ones(2)
    b = numpy.zeros(3)
    Pair = collections.namedtuple('Pair', 'x y')
    out = d.send({'a': a, 'seq': [a, (b, None)], 'pair': Pair(a, numpy.float32(2))})
    assert out['a'] is a
    assert isinstance(out['seq'], list)
    assert out['seq'][0] is a
    assert isinstance(out['seq'][1], tuple)
    assert out['seq'][1][0] is b
    assert out['seq'][1][1] is None
    assert isinstance(out['pair'], Pair)
    assert out['pair'].x is a
    assert isinstance(out['pair'].y, numpy.ndarray)


def test_cpu_send_none():
    assert backend.CpuDevice().send(None) is None


def test_cpu_send_same_object_sent_once():
    calls = []

    class Recording(backend.CpuDevice):
        def send_array(self, array):
            calls.append(array)
            return super().send_array(array)

    a = numpy.ones(1)
    out = Recording().send((a, a, [a]))
    assert len(calls) == 1
    assert out[0] is out[1] is out[2][0]


@pytest.mark.parametrize('bad', [object(), {1, 2}])
def test_cpu_send_bad_type(bad):
    with pytest.raises(TypeError, match='numpy.ndarray'):
        backend.CpuDevice().send(bad)


def test_abstract_device():
    class Incomplete(backend.Device):
        pass

    d = Incomplete()
    for attr in ('xp', 'name', 'supported_array_types'):
        with pytest.raises(NotImplementedError):
            getattr(d, attr)
    with pytest.raises(NotImplementedError):
        d.send(numpy.ones(1))


def test_custom_device_subclass():
    class MyDevice(backend.Device):
        xp = numpy
        name = '@mine'
        supported_array_types = (numpy.ndarray,)

        def send_array(self, array):
            return numpy.asarray(array) * 2

    d = MyDevice()
    assert str(d) == '@mine'
    assert d == MyDevice()
    assert d != backend.CpuDevice()
    assert hash(d) == hash(MyDevice())
    out = d.send([numpy.ones(1), None])
    assert out[0][0] == 2 and out[1] is None
    with d:
        pass


class _NamedDevice(backend.Device):
    name = '@named'


def test_device_exit_without_enter():
    with pytest.raises(RuntimeError, match='without being entered'):
        _NamedDevice().__exit__(None, None, None)


def test_device_context_nesting_restores():
    d = _NamedDevice()
    with d:
        with d:
            pass
    with pytest.raises(RuntimeError):
        d.__exit__(None, None, None)


# -- unsupported devices ---------------------------------------------------------

def test_intel64_device_unsupported():
    with pytest.raises(RuntimeError, match='iDeep'):
        backend.Intel64Device()


def test_should_use_ideep_is_false_without_checks():
    # As in Chainer without iDeep: any level and any use_ideep setting give False.
    from chainer.backends import intel64
    for setting in ('always', 'auto', 'never', 'bogus', True):
        with chainer.using_config('use_ideep', setting):
            for level in ('==always', '>=auto', 'bogus'):
                assert intel64.should_use_ideep(level) is False
            assert intel64.inputs_all_ready((numpy.zeros((2, 3), numpy.float32),)) is False


def test_chainerx_device_unsupported():
    with pytest.raises(RuntimeError, match='ChainerX'):
        backend.ChainerxDevice(None)


@requires_no_cupy
def test_gpu_device_without_cupy():
    with pytest.raises(RuntimeError, match='CuPy'):
        backend.GpuDevice(0)
    with pytest.raises(RuntimeError, match='CuPy'):
        backend.GpuDevice.from_device_id(0)
    assert backend.GpuDevice.from_array(numpy.ones(1)) is None


# -- get_device -----------------------------------------------------------------

def test_get_device_returns_device_as_is():
    d = backend.CpuDevice()
    assert backend.get_device(d) is d
    assert chainer.get_device(d) is d


@pytest.mark.parametrize('spec', [
    '@numpy', numpy, -1, '-1', numpy.int64(-1), -5, (numpy, -1), cuda.DummyDevice,
])
def test_get_device_cpu(spec):
    d = backend.get_device(spec)
    assert isinstance(d, backend.CpuDevice)
    assert d == backend.CpuDevice()


@requires_no_cupy
@pytest.mark.parametrize('spec', [
    '@cupy:0', '@cupy:1', 0, 1, '0', numpy.int32(0), ('@cupy', 0),
])
def test_get_device_gpu_without_cupy(spec):
    with pytest.raises(RuntimeError, match='CuPy'):
        backend.get_device(spec)


@pytest.mark.parametrize('spec', ['@intel64'])
def test_get_device_intel64(spec):
    with pytest.raises(RuntimeError, match='iDeep'):
        backend.get_device(spec)


@pytest.mark.parametrize('spec', ['native', 'native:0', 'cuda:0', ('native', 0), ('cuda', 1),
                                  chainerx, (chainerx, 0)])
def test_get_device_chainerx_not_available(spec):
    with pytest.raises(RuntimeError, match='ChainerX'):
        backend.get_device(spec)


@pytest.mark.parametrize('spec', [
    '@foo', '@numpy:0', '@cupy', '@cupy:', '@cupy:x', '@cupy:-1', '@intel64:0', '',
])
def test_get_device_invalid_value(spec):
    with pytest.raises((ValueError, RuntimeError)) as info:
        backend.get_device(spec)
    if spec != '':
        assert isinstance(info.value, ValueError)


@pytest.mark.parametrize('spec', [
    ('@cupy', 'x'), ('a', 'b'), (numpy, 0), (numpy, 'x'), (pytest, 0), pytest,
])
def test_get_device_invalid_module_or_tuple_is_type_error(spec):
    # Chainer refuses every specifier that is neither an integer nor a string
    # (nor a device) with a TypeError; ours accepts some modules and tuples,
    # and refuses the others with the same error type.
    with pytest.raises(TypeError, match='device specifier'):
        backend.get_device(spec)


def test_get_device_invalid_value_message():
    with pytest.raises(ValueError, match="'@foo'"):
        backend.get_device('@foo')
    with pytest.raises(ValueError, match="'@cupy:x'"):
        backend.get_device('@cupy:x')


@pytest.mark.parametrize('spec', [None, 1.5, True, False, object(), [0], (1, 2, 3), {'a': 1}])
def test_get_device_invalid_type(spec):
    with pytest.raises(TypeError, match='Device specifier'):
        backend.get_device(spec)


# -- arrays ---------------------------------------------------------------------

def test_get_device_from_array_cpu():
    a = numpy.ones(2)
    assert backend.get_device_from_array(a) == backend.CpuDevice()
    assert backend.get_device_from_array() == backend.CpuDevice()
    assert backend.get_device_from_array(None, 1.0, a) == backend.CpuDevice()
    assert isinstance(backend.get_device_from_array(a), backend.CpuDevice)


class _FakeVariable:
    def __init__(self, array):
        self.array = array


@pytest.mark.parametrize('args', [
    (), (numpy.ones(1),), (numpy.ones(1), None, 3.0), (numpy.float32(1),), ([1, 2],),
])
def test_get_array_module_numpy(args):
    assert backend.get_array_module(*args) is numpy
    assert cuda.get_array_module(*args) is numpy


def test_get_array_module_variable():
    v = chainer.Variable(numpy.ones(2, dtype=numpy.float32))
    assert backend.get_array_module(v) is numpy


def test_using_device():
    with backend.using_device('@numpy'):
        pass
    with chainer.using_device(backend.CpuDevice()):
        pass
    with backend.using_device(-1):
        pass
    with pytest.raises(ValueError):
        backend.using_device('@bad')
    with pytest.raises(TypeError):
        backend.using_device(1.5)


def test_using_device_reentrant():
    ctx = backend.using_device('@numpy')
    with ctx:
        with backend.using_device('@numpy'):
            pass


def test_copyto_numpy():
    dst = numpy.zeros((2, 3), dtype=numpy.float32)
    src = numpy.arange(6, dtype=numpy.float64).reshape(2, 3)
    assert backend.copyto(dst, src) is None
    numpy.testing.assert_array_equal(dst, src)
    assert dst.dtype == numpy.float32


def test_copyto_numpy_broadcast_and_scalar():
    dst = numpy.zeros((2, 3), dtype=numpy.float32)
    backend.copyto(dst, numpy.arange(3, dtype=numpy.float32))
    numpy.testing.assert_array_equal(dst, [[0, 1, 2], [0, 1, 2]])
    backend.copyto(dst, numpy.float32(7))
    assert (dst == 7).all()



def test_copyto_numpy_casts_a_scalar_by_its_value_as_chainer():
    # NumPy 1 (Chainer's) judged a scalar source by its value: an int fits a
    # uint8 array (300 wraps, as it did); a float still does not go into ints
    dst = numpy.zeros(2, dtype=numpy.uint8)
    backend.copyto(dst, 3)
    assert dst.tolist() == [3, 3]
    backend.copyto(dst, numpy.int64(300))
    assert dst.tolist() == [44, 44]
    backend.copyto(dst, numpy.array(7))
    assert dst.tolist() == [7, 7] and dst.dtype == numpy.uint8
    with pytest.raises(TypeError):
        backend.copyto(dst, 1.5)
    with pytest.raises(TypeError):
        backend.copyto(dst, numpy.full(2, 3, numpy.int64))  # arrays: by dtype, in both

def test_copyto_numpy_from_list_and_tuple():
    dst = numpy.zeros(2, dtype=numpy.float32)
    backend.copyto(dst, [1, 2])
    numpy.testing.assert_array_equal(dst, [1, 2])
    backend.copyto(dst, (3.0, numpy.float64(4)))
    numpy.testing.assert_array_equal(dst, [3, 4])
    backend.copyto(dst, [numpy.ones(2)])
    numpy.testing.assert_array_equal(dst, [1, 1])
    with pytest.raises(ValueError):
        backend.copyto(dst, [])


def test_copyto_bad():
    with pytest.raises(TypeError, match='non-array'):
        backend.copyto([0, 0], numpy.ones(2))
    with pytest.raises(TypeError):
        backend.copyto(numpy.zeros(2), None)
    with pytest.raises(TypeError):
        backend.copyto(numpy.zeros(2), 'ab')
    with pytest.raises(ValueError):
        backend.copyto(numpy.zeros(2), numpy.ones(3))


def test_to_chx_from_chx_identity():
    a = numpy.ones(2)
    assert backend.to_chx(a) is a
    assert backend.from_chx(a) is a
    assert backend.to_chx(None) is None
    out = backend.from_chx((a, [a, None]))
    assert out[0] is a and out[1][0] is a and out[1][1] is None
    with pytest.raises(TypeError):
        backend.to_chx('x')
    with pytest.raises(TypeError):
        backend.from_chx(object())


def test_array_types():
    assert backend.get_cpu_array_types() == (numpy.ndarray,)
    types = backend.get_array_types()
    assert numpy.ndarray in types
    if not cuda.available:
        assert types == (numpy.ndarray,)
    else:
        assert cuda.ndarray in types


def test_is_arrays_compatible():
    a = numpy.ones(1)
    assert backend.is_arrays_compatible([])
    assert backend.is_arrays_compatible([None, None])
    assert backend.is_arrays_compatible([a, None, numpy.zeros(2)])
    assert backend.is_arrays_compatible((a,))
    assert not backend.is_arrays_compatible([a, 1.0])
    assert not backend.is_arrays_compatible([a, [1]])
