import types

import numpy as np
import pytest

import chainer
from chainer import backend
from chainer import initializers


class TestGenerateArray:

    @pytest.mark.parametrize('shape, expected', [(3, (3,)), ((2, 3), (2, 3)), ((), ()),
                                                 ([4, 1], (4, 1))])
    def test_shape(self, shape, expected):
        a = initializers.generate_array(initializers.One(), shape, np)
        assert isinstance(a, np.ndarray) and a.shape == expected
        assert (a == 1).all()

    @pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64, 'float64',
                                       np.dtype(np.int32)])
    def test_dtype_argument(self, dtype):
        a = initializers.generate_array(initializers.One(), (2,), np, dtype=dtype)
        assert a.dtype == np.dtype(dtype)

    def test_dtype_from_initializer(self):
        a = initializers.generate_array(initializers.Zero(np.float16), (2,), np)
        assert a.dtype == np.float16
        b = initializers.generate_array(initializers.Zero(np.float16), (2,), np,
                                        dtype=np.float16)
        assert b.dtype == np.float16

    def test_dtype_from_config(self):
        for dtype in (np.float16, np.float32, np.float64):
            with chainer.using_config('dtype', dtype):
                a = initializers.generate_array(initializers.Zero(), (2,), np)
            assert a.dtype == dtype

    def test_mixed16_gives_float16(self):
        with chainer.using_config('dtype', chainer.mixed16):
            a = initializers.generate_array(initializers.Zero(), (2,), np)
        assert a.dtype == np.float16

    def test_dtype_mismatch(self):
        with pytest.raises(ValueError, match='dtype mismatch'):
            initializers.generate_array(initializers.Zero(np.float32), (2,), np,
                                        dtype=np.float64)

    def test_plain_callable(self):
        def fill(array):
            array[...] = 5

        a = initializers.generate_array(fill, (2, 2), np)
        assert a.dtype == np.float32 and (a == 5).all()

    @pytest.mark.parametrize('device', ['@numpy', -1, np, backend.CpuDevice()])
    def test_cpu_device(self, device):
        a = initializers.generate_array(initializers.One(), (2,), np, device=device)
        assert isinstance(a, np.ndarray)

    def test_inconsistent_device(self):
        class OtherDevice(backend.CpuDevice):
            xp = types.ModuleType('other_xp')

        with pytest.raises(ValueError, match='inconsistent'):
            initializers.generate_array(initializers.One(), (2,), np, device=OtherDevice())

    def test_invalid_device(self):
        with pytest.raises(ValueError):
            initializers.generate_array(initializers.One(), (2,), np, device='@foo')

    def test_initializer_error_propagates(self):
        with pytest.raises(ValueError, match='length >= 2'):
            initializers.generate_array(initializers.HeNormal(), (3,), np)


class TestGetInitializer:

    def test_none(self):
        init = initializers._get_initializer(None)
        assert type(init) is initializers.LeCunNormal
        assert init.scale == 1.0 and init.dtype is None

    @pytest.mark.parametrize('value', [0, 1.5, np.float32(2), np.int64(3)])
    def test_scalar(self, value):
        init = initializers._get_initializer(value)
        assert type(init) is initializers.Constant and init.fill_value == value

    def test_array(self):
        arr = np.arange(3.)
        init = initializers._get_initializer(arr)
        assert type(init) is initializers.Constant and init.fill_value is arr

    def test_callable(self):
        init = initializers.HeNormal()
        assert initializers._get_initializer(init) is init

        def fill(array):
            array[...] = 0

        assert initializers._get_initializer(fill) is fill

    @pytest.mark.parametrize('value', [[1, 2], object(), (3,)])
    def test_invalid(self, value):
        with pytest.raises(TypeError, match='invalid type of initializer'):
            initializers._get_initializer(value)

    def test_check_is_initializer_like(self):
        for ok in (None, 1.0, np.zeros(2), initializers.One(), lambda a: None):
            initializers._check_is_initializer_like(ok)
        with pytest.raises(TypeError, match='wrong type'):
            initializers._check_is_initializer_like([1.0])


ALL_NAMES = [
    'Constant', 'DownsamplingConvFilter', 'GlorotNormal', 'GlorotUniform', 'HeNormal',
    'HeUniform', 'Identity', 'LeCunNormal', 'LeCunUniform', 'NaN', 'Normal', 'One',
    'Orthogonal', 'Uniform', 'UpsamplingDeconvFilter', 'Zero', 'generate_array']


@pytest.mark.parametrize('name', ALL_NAMES)
def test_public_names(name):
    obj = getattr(initializers, name)
    if name != 'generate_array':
        assert issubclass(obj, chainer.initializer.Initializer)


class TestParameterDefaults:

    def test_no_initializer_is_nan(self):
        p = chainer.Parameter()
        assert type(p.initializer) is initializers.NaN
        p.initialize((2, 3))
        assert p.dtype == np.float32 and np.isnan(p.array).all()
        assert np.isnan(p.grad).all()

    def test_scalar_is_constant(self):
        p = chainer.Parameter(0.5)
        assert type(p.initializer) is initializers.Constant
        assert p.initializer.fill_value == 0.5
        p.initialize(3)
        np.testing.assert_array_equal(p.array, np.full(3, 0.5, np.float32))

    def test_array_with_shape_is_constant(self):
        arr = np.arange(3, dtype=np.float32)
        p = chainer.Parameter(arr, (2, 3))
        assert type(p.initializer) is initializers.Constant
        np.testing.assert_array_equal(p.array, np.stack([arr, arr]))
        assert p.array.dtype == np.float32

    def test_array_with_shape_uses_config_dtype(self):
        # As in Chainer, Constant(array) has no dtype of its own.
        p = chainer.Parameter(np.arange(3.), (3,))
        assert p.array.dtype == np.float32

    def test_zerograd_before_init_uses_zero(self):
        p = chainer.Parameter(initializers.One(np.float64))
        with pytest.warns(DeprecationWarning):
            p.zerograd()
        p.initialize((2,))
        assert p.grad.dtype == np.float64 and (p.grad == 0).all()

    def test_config_mixed16(self):
        with chainer.using_config('dtype', chainer.mixed16):
            p = chainer.Parameter(initializers.Zero(), (2,))
        assert p.dtype == np.float16

    def test_add_param(self):
        link = chainer.Link()
        link.add_param('W', (2, 3), dtype=np.float64)
        assert type(link.W.initializer) is initializers.NaN
        assert link.W.dtype == np.float64 and np.isnan(link.W.array).all()
        link.add_param('b', (3,), initializer=initializers.Zero())
        assert (link.b.array == 0).all() and link.b.dtype == np.float32


@pytest.mark.gpu
def test_generate_array_gpu():
    import cupy
    a = initializers.generate_array(initializers.One(), (2, 3), cupy)
    assert isinstance(a, cupy.ndarray) and a.dtype == np.float32
    b = initializers.generate_array(initializers.HeNormal(), (4, 5), cupy, device='@cupy:0')
    assert isinstance(b, cupy.ndarray) and b.device.id == 0
    with pytest.raises(ValueError, match='inconsistent'):
        initializers.generate_array(initializers.One(), (2,), np, device='@cupy:0')
    with pytest.raises(ValueError, match='inconsistent'):
        initializers.generate_array(initializers.One(), (2,), cupy, device='@numpy')
    p = chainer.Parameter(initializers.GlorotUniform())
    p.to_device('@cupy:0')
    p.initialize((3, 4))
    assert isinstance(p.array, cupy.ndarray) and isinstance(p.grad, cupy.ndarray)
    q = chainer.Parameter(cupy.arange(3, dtype=np.float32), (2, 3))
    assert isinstance(q.array, cupy.ndarray)
    np.testing.assert_array_equal(q.array.get(), [[0, 1, 2], [0, 1, 2]])


@pytest.mark.parametrize('init', [
    initializers.HeNormal(2.0, fan_option='fan_out', rng=np.random.RandomState(0)),
    initializers.Orthogonal(mode='basis'),
    initializers.Constant(np.arange(3.)),
    initializers.NaN(np.float16),
    initializers.UpsamplingDeconvFilter(),
])
def test_pickle(init):
    import pickle
    clone = pickle.loads(pickle.dumps(init))
    assert type(clone) is type(init)
    for key, value in vars(init).items():
        if key != 'rng':
            np.testing.assert_equal(getattr(clone, key), value)
