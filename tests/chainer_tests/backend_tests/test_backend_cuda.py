"""chainer.backends.cuda, with and (mostly) without CuPy."""
import subprocess
import sys

import numpy
import pytest

import chainer
from chainer import backend
from chainer.backends import cuda

no_cupy = pytest.mark.skipif(cuda.available, reason='CuPy is installed')

API_NAMES = [
    'Device', 'DummyDevice', 'DummyDeviceType', 'Event', 'GpuDevice', 'Stream', 'available',
    'check_cuda_available', 'clear_memo', 'config', 'copy', 'cudnn_enabled', 'cupy',
    'elementwise', 'fuse', 'get_array_module', 'get_cudnn_dropout_states',
    'get_cudnn_dropout_states_core', 'get_device', 'get_device_from_array',
    'get_device_from_id', 'get_max_workspace_size', 'memoize', 'ndarray', 'raw', 'reduce',
    'set_max_workspace_size', 'should_use_cudnn', 'should_use_cudnn_tensor_core', 'to_cpu',
    'to_gpu',
]


@pytest.mark.parametrize('name', API_NAMES)
def test_public_names(name):
    assert hasattr(cuda, name)


def test_flags_are_bools():
    assert isinstance(cuda.available, bool)
    assert isinstance(cuda.cudnn_enabled, bool)
    assert cuda.config is chainer.config
    assert cuda.GpuDevice is backend.GpuDevice


# -- without CuPy ----------------------------------------------------------------

@no_cupy
def test_not_available():
    assert cuda.available is False
    assert cuda.cudnn_enabled is False


@no_cupy
def test_check_cuda_available_message():
    with pytest.raises(RuntimeError, match='CuPy') as info:
        cuda.check_cuda_available()
    assert 'pip install' in str(info.value)


@no_cupy
def test_cupy_placeholder():
    assert cuda.cupy is not numpy
    assert not hasattr(cuda.cupy, 'ndarray')
    assert getattr(cuda.cupy, 'asarray', None) is None
    with pytest.raises(RuntimeError, match='CuPy'):
        cuda.cupy.asarray
    with pytest.raises(RuntimeError, match='CuPy'):
        cuda.cupy.foo = 1
    assert 'not available' in repr(cuda.cupy)
    assert numpy is not cuda.cupy


@no_cupy
def test_ndarray_placeholder():
    assert not isinstance(numpy.ones(1), cuda.ndarray)
    assert not isinstance(None, cuda.ndarray)
    with pytest.raises(RuntimeError, match='CuPy'):
        cuda.ndarray((2,))


@no_cupy
def test_placeholder_device_does_nothing_as_chainers():
    # CPU runs of code written `with cuda.Device(gpu):` work, as under Chainer
    with cuda.Device(0) as d:
        assert d.id == 0
    assert not isinstance(cuda.DummyDevice, cuda.Device)
    with pytest.raises(RuntimeError, match='CuPy') as info:
        cuda.Device(0).use()
    assert isinstance(info.value, AttributeError)  # Chainer's Device had no use()
    assert isinstance(cuda.Stream(), cuda.Stream) and cuda.Stream.null is None
    assert isinstance(cuda.Event(), cuda.Event)
    with pytest.raises(RuntimeError, match='CuPy'):
        chainer.get_device(cuda.Device(0))


@no_cupy
def test_to_gpu_without_cupy():
    with pytest.raises(RuntimeError, match='CuPy'):
        cuda.to_gpu(numpy.ones(2))
    with pytest.raises(RuntimeError, match='CuPy'):
        cuda.to_gpu(numpy.ones(2), device=0)


@no_cupy
@pytest.mark.parametrize('fn, args', [
    (cuda.elementwise, ('T x', 'T y', 'y = x', 'k')),
    (cuda.reduce, ('T x', 'T y', 'x', 'a + b', 'y = a', '0', 'k')),
    (cuda.raw, ('code', 'name')),
    (cuda.copy, (numpy.ones(1),)),
])
def test_kernels_without_cupy(fn, args):
    with pytest.raises(RuntimeError, match='CuPy'):
        fn(*args)


@no_cupy
def test_device_lookup_without_cupy():
    a = numpy.ones(1)
    assert cuda.get_device_from_id(None) is cuda.DummyDevice
    assert cuda.get_device_from_id(-1) is cuda.DummyDevice
    with pytest.raises(RuntimeError, match='CuPy'):
        cuda.get_device_from_id(0)
    with pytest.raises(TypeError):
        cuda.get_device_from_id('0')
    assert cuda.get_device_from_array(a) is cuda.DummyDevice
    assert cuda.get_device_from_array() is cuda.DummyDevice
    with pytest.warns(DeprecationWarning):
        assert cuda.get_device(a) is cuda.DummyDevice
    with pytest.warns(DeprecationWarning):
        assert cuda.get_device(-1) is cuda.DummyDevice
    with pytest.warns(DeprecationWarning), pytest.raises(RuntimeError, match='CuPy'):
        cuda.get_device(0)


@no_cupy
def test_cudnn_without_cudnn():
    assert cuda.should_use_cudnn('>=auto') is False
    assert cuda.should_use_cudnn('==always', 7000) is False
    with pytest.raises(RuntimeError, match='cuDNN'):
        cuda.get_cudnn_dropout_states()
    with chainer.using_config('use_cudnn_tensor_core', 'auto'):
        assert cuda.should_use_cudnn_tensor_core(numpy.float16) is False


# -- always -------------------------------------------------------------------------

def test_to_cpu_numpy():
    a = numpy.ones(3, dtype=numpy.float32)
    assert cuda.to_cpu(a) is a
    assert cuda.to_cpu(None) is None
    out = cuda.to_cpu([a, (a, None)])
    assert isinstance(out, list) and out[0] is a
    assert isinstance(out[1], tuple) and out[1][0] is a and out[1][1] is None


@pytest.mark.parametrize('value', [numpy.float32(2), numpy.int8(3), 1.5, 2])
def test_to_cpu_scalar(value):
    out = cuda.to_cpu(value)
    assert isinstance(out, numpy.ndarray)
    assert out.shape == ()
    assert out == value


@pytest.mark.parametrize('value', ['abc', b'ab', numpy.str_('x')])
def test_to_cpu_string_scalar_becomes_0d_array(value):
    # As in Chainer: every NumPy scalar, strings included, becomes a 0-d array,
    # so converters can pass batches that hold strings.
    out = cuda.to_cpu(value)
    assert isinstance(out, numpy.ndarray) and out.shape == ()
    assert out[()] == value
    assert chainer.dataset.to_device(-1, ('abc', 1))[0] == 'abc'


@pytest.mark.parametrize('bad', [object(), {1, 2}])
def test_to_cpu_bad(bad):
    with pytest.raises(TypeError):
        cuda.to_cpu(bad)


def test_dummy_device():
    d = cuda.DummyDevice
    assert isinstance(d, cuda.DummyDeviceType)
    assert d.id == -1
    assert int(d) == -1
    with d as entered:
        assert entered is d
    d.use()
    d.synchronize()
    assert d == cuda.DummyDeviceType()
    assert not (d != cuda.DummyDeviceType())
    assert d != 0


def test_dummy_device_to_backend_device():
    assert backend.get_device(cuda.DummyDevice) == backend.CpuDevice()


def test_memoize():
    calls = []

    @cuda.memoize()
    def f(x):
        calls.append(x)
        return x * 2

    assert f(2) == 4
    assert f(2) == 4
    assert f.__name__ == 'f'
    if cuda.available:
        assert calls == [2]  # cached by cupy.memoize
    else:
        assert calls == [2, 2]  # no caching without CuPy, as in Chainer
    cuda.clear_memo()


@no_cupy
def test_memoize_for_each_device_without_cupy():
    @cuda.memoize(for_each_device=True)
    def g(x):
        return x + 1

    assert g(1) == 2


@pytest.mark.gpu
@pytest.mark.skipif(not cuda.available, reason='CuPy is not available')
def test_memoize_for_each_device_gpu():
    calls = []

    @cuda.memoize(for_each_device=True)
    def g(x):
        calls.append(x)
        return x + 1

    assert g(1) == 2 and g(1) == 2
    assert calls == [1]
    cuda.clear_memo()
    assert g(1) == 2
    assert calls == [1, 1]


def test_fuse_decorator_forms():
    def add(x, y):
        return x + y

    fused = cuda.fuse(add)
    a = numpy.ones(2, dtype=numpy.float32)
    numpy.testing.assert_array_equal(fused(a, a), a + a)

    @cuda.fuse()
    def mul(x, y):
        return x * y

    numpy.testing.assert_array_equal(mul(a, a), a * a)

    @cuda.fuse(kernel_name='k')
    def sub(x, y):
        return x - y

    numpy.testing.assert_array_equal(sub(a, a), a - a)


def test_workspace_size_roundtrip():
    old = cuda.get_max_workspace_size()
    try:
        cuda.set_max_workspace_size(1024)
        assert cuda.get_max_workspace_size() == 1024
    finally:
        cuda.set_max_workspace_size(old)
    with pytest.raises(ValueError):
        cuda.set_max_workspace_size(-1)
    with pytest.raises(ValueError):
        cuda.set_max_workspace_size('big')


def test_should_use_cudnn_without_cudnn_is_false_for_any_level():
    # As in Chainer without cuDNN: neither the level nor the setting is checked.
    for setting in ('always', 'auto', 'never', 'maybe', True):
        with chainer.using_config('use_cudnn', setting):
            for level in ('==always', '>=auto', 'always', 'auto', '>=never'):
                assert cuda.should_use_cudnn(level) is False
                assert chainer.should_use_cudnn(level, 0) is False


def test_should_use_cudnn_bad_level(monkeypatch):
    monkeypatch.setattr(cuda, 'cudnn_enabled', True)
    monkeypatch.setattr(cuda, '_cudnn_version', 8000)
    with pytest.raises(ValueError, match='level'):
        cuda.should_use_cudnn('always')
    with pytest.raises(ValueError):
        cuda.should_use_cudnn('>=never')


@pytest.mark.parametrize('setting, expected', [('always', True), ('never', False)])
def test_should_use_cudnn_tensor_core_config(setting, expected):
    with chainer.using_config('use_cudnn_tensor_core', setting):
        assert cuda.should_use_cudnn_tensor_core(numpy.float16) is expected


def test_should_use_cudnn_tensor_core_bad_config():
    with chainer.using_config('use_cudnn_tensor_core', 'sometimes'):
        with pytest.raises(ValueError, match='use_cudnn_tensor_core'):
            cuda.should_use_cudnn_tensor_core(numpy.float16)


def test_should_use_cudnn_levels_with_fake_cudnn(monkeypatch):
    # Exercise the config logic as if cuDNN (version 8000) were enabled.
    monkeypatch.setattr(cuda, 'cudnn_enabled', True)
    monkeypatch.setattr(cuda, '_cudnn_version', 8000)
    table = {
        ('==always', 'always'): True, ('==always', 'auto'): False,
        ('==always', 'never'): False, ('>=auto', 'always'): True,
        ('>=auto', 'auto'): True, ('>=auto', 'never'): False,
    }
    for (level, setting), expected in table.items():
        with chainer.using_config('use_cudnn', setting):
            assert cuda.should_use_cudnn(level) is expected
            assert cuda.should_use_cudnn(level, 9000) is False
    with chainer.using_config('use_cudnn', 'maybe'):
        with pytest.raises(ValueError, match='use_cudnn'):
            cuda.should_use_cudnn('>=auto')


def test_top_level_reexports_if_present():
    # The lead re-exports these from chainer/__init__.py.
    for name, target in [('should_use_cudnn', cuda.should_use_cudnn),
                         ('should_use_cudnn_tensor_core', cuda.should_use_cudnn_tensor_core)]:
        if hasattr(chainer, name):
            assert getattr(chainer, name) is target


def test_import_without_warnings():
    code = 'import chainer.backends.cuda, chainer.backend, chainer.device_resident'
    subprocess.run([sys.executable, '-W', 'error', '-c', code], check=True)


# -- with CuPy (GPU) ------------------------------------------------------------------

gpu = pytest.mark.gpu
needs_cupy = pytest.mark.skipif(not cuda.available, reason='CuPy is not available')


@gpu
@needs_cupy
def test_gpu_roundtrip():
    cupy = cuda.cupy
    a = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    g = cuda.to_gpu(a)
    assert isinstance(g, cupy.ndarray)
    assert cuda.to_gpu(g) is g
    numpy.testing.assert_array_equal(cuda.to_cpu(g), a)
    s = cuda.to_gpu(numpy.float32(3))
    assert isinstance(s, cupy.ndarray) and s.shape == ()
    out = cuda.to_gpu([a, None, (a,)], device=0)
    assert isinstance(out[0], cupy.ndarray) and out[1] is None
    with pytest.raises(TypeError):
        cuda.to_gpu('x')


@gpu
@needs_cupy
def test_gpu_roundtrip_on_a_stream():
    cupy = cuda.cupy
    stream = cupy.cuda.Stream(non_blocking=True)
    a = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    with pytest.warns(DeprecationWarning, match='stream option'):  # as in Chainer
        g = cuda.to_gpu(a[:, ::2], stream=stream)  # a strided host array, on the stream
    assert isinstance(g, cupy.ndarray) and g.shape == (3, 2)
    back = cuda.to_cpu(g, stream=stream)
    stream.synchronize()
    numpy.testing.assert_array_equal(back, a[:, ::2])


@gpu
@needs_cupy
def test_gpu_device():
    cupy = cuda.cupy
    d = backend.get_device('@cupy:0')
    assert isinstance(d, backend.GpuDevice)
    assert d.xp is cupy
    assert d.name == '@cupy:0' and str(d) == '@cupy:0'
    assert repr(d) == '<GpuDevice (cupy):0>'
    assert d == backend.get_device(0) == backend.get_device(cuda.Device(0))
    assert d == backend.get_device((cupy, 0)) == backend.get_device(cupy)
    assert hash(d) == hash(backend.GpuDevice.from_device_id(0))
    assert d != backend.CpuDevice()
    g = d.send(numpy.ones(2))
    assert isinstance(g, cupy.ndarray)
    assert d.is_array_supported(g)
    assert not d.is_array_supported(numpy.ones(2))
    assert backend.get_device_from_array(g) == d
    assert backend.get_device_from_array(numpy.ones(1), g) == d
    assert backend.get_array_module(g) is cupy
    assert backend.get_array_module(numpy.ones(1), g) is cupy
    assert backend.get_array_module(chainer.Variable(g)) is cupy
    assert cuda.get_device_from_array(g).id == 0
    assert backend.CpuDevice().send(g).__class__ is numpy.ndarray
    with backend.using_device(d):
        assert cupy.cuda.Device().id == 0
    with d:
        pass
    d.use()
    assert backend.is_arrays_compatible([g, g])
    assert not backend.is_arrays_compatible([g, numpy.ones(1)])
    assert cuda.ndarray in chainer.backend.get_array_types()
    import pickle
    assert pickle.loads(pickle.dumps(d)) == d


@gpu
@needs_cupy
def test_gpu_copyto_and_copy():
    cupy = cuda.cupy
    g = cupy.zeros((2, 2), dtype=cupy.float32)
    backend.copyto(g, numpy.ones((2, 2), dtype=numpy.float32))
    assert float(g.sum()) == 4
    h = numpy.zeros((2, 2), dtype=numpy.float32)
    backend.copyto(h, g)
    assert h.sum() == 4
    backend.copyto(g, cupy.full((2, 2), 2, dtype=cupy.float32))
    assert float(g.sum()) == 8
    backend.copyto(g[:, :1], numpy.float32(0))
    assert float(g.sum()) == 4
    c = cuda.copy(g)
    assert c is not g and bool((c == g).all())


@gpu
@needs_cupy
def test_gpu_kernels():
    cupy = cuda.cupy
    k = cuda.elementwise('T x', 'T y', 'y = x * 2', 'rechainer_test_double')
    assert k is cuda.elementwise('T x', 'T y', 'y = x * 2', 'rechainer_test_double')
    x = cupy.arange(3, dtype=cupy.float32)
    assert k(x).tolist() == [0, 2, 4]
    r = cuda.reduce('T x', 'T y', 'x', 'a + b', 'y = a', '0', 'rechainer_test_sum')
    assert float(r(x)) == 3
    f = cuda.fuse()(lambda a, b: a + b)
    assert f(x, x).tolist() == [0, 2, 4]


def test_fuse_names_lambda_kernels(monkeypatch):
    """CuPy refuses '<lambda>' as a kernel name; fuse gives lambdas a valid one."""
    seen = []

    class FakeCupy:
        @staticmethod
        def fuse(*args, **kwargs):
            seen.append(kwargs)
            return lambda f: f

    monkeypatch.setattr(cuda, 'available', True)
    monkeypatch.setattr(cuda, 'cupy', FakeCupy)
    cuda.fuse(lambda a: a)
    cuda.fuse(kernel_name='mine')(lambda a: a)

    def named(a):
        return a
    cuda.fuse()(named)
    assert seen == [{'kernel_name': 'fused_lambda'}, {'kernel_name': 'mine'}, {}]


def test_using_device_without_gpu_arguments_is_dummy():
    with cuda.using_device(None, -1, numpy.zeros(1)) as dev:
        assert dev is cuda.DummyDevice


@gpu
@needs_cupy
def test_using_device_and_pools_on_gpu():
    x = cuda.cupy.zeros(1)
    with cuda.using_device(x) as dev:
        assert dev.id == x.device.id
    with cuda.using_device(0):
        assert cuda.cupy.cuda.Device().id == 0
    assert cuda.memory_pool is cuda.cupy.get_default_memory_pool()
    assert cuda.pinned_memory_pool is cuda.cupy.get_default_pinned_memory_pool()


def _fake_modules(monkeypatch, **modules):
    import types
    for name, attributes in modules.items():
        module = types.ModuleType(name)
        vars(module).update(attributes)
        monkeypatch.setitem(sys.modules, name, module)
    return {name: sys.modules[name] for name in modules}


def test_cudnn_comes_from_cupyx_where_cupy_13_keeps_it(monkeypatch):
    # CuPy 13's cupy.cudnn re-exports cupyx.cudnn and warns at import that it is
    # deprecated: with cuDNN installed, `import chainer` must not import it.
    fakes = _fake_modules(monkeypatch, **{
        'cupyx': {}, 'cupyx.cudnn': {}, 'cupy': {}, 'cupy_backends': {},
        'cupy_backends.cuda': {}, 'cupy_backends.cuda.libs': {},
        'cupy_backends.cuda.libs.cudnn': {'getVersion': lambda: 8902}})
    monkeypatch.setitem(sys.modules, 'cupy.cudnn', None)  # importing it fails the test
    module, library = cuda._import_cudnn()
    assert module is fakes['cupyx.cudnn']
    assert library is fakes['cupy_backends.cuda.libs.cudnn']


def test_cudnn_from_cupy_where_cupyx_has_none(monkeypatch):
    fakes = _fake_modules(monkeypatch, **{
        'cupyx': {}, 'cupy': {}, 'cupy.cudnn': {}, 'cupy.cuda': {}, 'cupy.cuda.cudnn': {},
        'cupy_backends': {}})
    monkeypatch.setitem(sys.modules, 'cupyx.cudnn', None)  # import fails
    monkeypatch.setitem(sys.modules, 'cupy_backends.cuda', None)
    module, library = cuda._import_cudnn()
    assert (module, library) == (fakes['cupy.cudnn'], fakes['cupy.cuda.cudnn'])


def test_no_cudnn_where_cupy_has_none(monkeypatch):
    _fake_modules(monkeypatch, cupyx={}, cupy={})
    monkeypatch.setitem(sys.modules, 'cupyx.cudnn', None)
    monkeypatch.setitem(sys.modules, 'cupy.cudnn', None)
    with pytest.raises(ImportError):
        cuda._import_cudnn()


def test_performance_warning_name_for_warning_filters():
    # Chainer's setup.cfg filters 'ignore::chainer.backends.cuda._PerformanceWarning';
    # the name must resolve, with CuPy or without.
    assert issubclass(cuda._PerformanceWarning, Warning)
    code = ('import warnings, chainer.backends.cuda as c\n'
            'warnings.filterwarnings("error")\n'
            'warnings.filterwarnings("ignore", category=c._PerformanceWarning)\n'
            'warnings.warn("slow", c._PerformanceWarning)\n')
    subprocess.run([sys.executable, '-c', code], check=True)
