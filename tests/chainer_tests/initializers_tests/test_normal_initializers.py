import numpy as np
import pytest

import chainer
from chainer import initializers

DTYPES = [np.float16, np.float32, np.float64]
SHAPE = (400, 50, 2)  # fan_in 100, fan_out 800; 40000 samples


def _fans(shape):
    return shape[1] * int(np.prod(shape[2:])), shape[0] * int(np.prod(shape[2:]))


# (class, kwargs, expected std as a function of (fan_in, fan_out))
CASES = [
    (initializers.Normal, {}, lambda fi, fo: 0.05),
    (initializers.Normal, {'scale': 2.0}, lambda fi, fo: 2.0),
    (initializers.LeCunNormal, {}, lambda fi, fo: np.sqrt(1. / fi)),
    (initializers.LeCunNormal, {'scale': 3.0}, lambda fi, fo: 3 * np.sqrt(1. / fi)),
    (initializers.GlorotNormal, {}, lambda fi, fo: np.sqrt(2. / (fi + fo))),
    (initializers.GlorotNormal, {'scale': 0.5},
     lambda fi, fo: 0.5 * np.sqrt(2. / (fi + fo))),
    (initializers.HeNormal, {}, lambda fi, fo: np.sqrt(2. / fi)),
    (initializers.HeNormal, {'fan_option': 'fan_out'}, lambda fi, fo: np.sqrt(2. / fo)),
    (initializers.HeNormal, {'scale': 2.0, 'fan_option': 'fan_in'},
     lambda fi, fo: 2 * np.sqrt(2. / fi)),
]


@pytest.mark.parametrize('cls, kwargs, std_fn', CASES)
class TestNormalFamily:

    @pytest.mark.parametrize('dtype', DTYPES)
    def test_statistics(self, cls, kwargs, std_fn, dtype):
        a = np.empty(SHAPE, dtype)
        cls(dtype=dtype, rng=np.random.RandomState(0), **kwargs)(a)
        assert a.dtype == dtype and a.shape == SHAPE
        expected = std_fn(*_fans(SHAPE))
        x = a.astype(np.float64)
        assert abs(x.mean()) < 0.03 * expected
        assert abs(x.std() / expected - 1) < 0.02
        # normal, not uniform: about 4.55% of samples are beyond 2 sigma
        assert abs((np.abs(x) > 2 * expected).mean() - 0.0455) < 0.005

    def test_default_rng_is_numpy_random(self, cls, kwargs, std_fn):
        shape = (6, 5, 3)
        np.random.seed(3)
        a = np.empty(shape, np.float32)
        cls(**kwargs)(a)
        np.random.seed(3)
        expected = np.random.normal(0.0, std_fn(*_fans(shape)), shape).astype(np.float32)
        np.testing.assert_array_equal(a, expected)

    def test_rng_reproducible(self, cls, kwargs, std_fn):
        a = np.empty((4, 3), np.float32)
        b = np.empty((4, 3), np.float32)
        cls(rng=np.random.RandomState(7), **kwargs)(a)
        cls(rng=np.random.RandomState(7), **kwargs)(b)
        np.testing.assert_array_equal(a, b)

    def test_numpy_generator(self, cls, kwargs, std_fn):
        a = np.empty(SHAPE, np.float32)
        cls(rng=np.random.default_rng(0), **kwargs)(a)
        assert abs(a.std() / std_fn(*_fans(SHAPE)) - 1) < 0.02

    def test_dtype_mismatch(self, cls, kwargs, std_fn):
        with pytest.raises(ValueError, match='dtype mismatch'):
            cls(dtype=np.float32, **kwargs)(np.empty((3, 4), np.float16))

    def test_generate_array_dtype(self, cls, kwargs, std_fn):
        assert initializers.generate_array(cls(**kwargs), (3, 4), np).dtype == np.float32
        with chainer.using_config('dtype', np.float16):
            a = initializers.generate_array(cls(**kwargs), (3, 4), np)
        assert a.dtype == np.float16
        a = initializers.generate_array(cls(dtype=np.float64, **kwargs), (3, 4), np)
        assert a.dtype == np.float64

    def test_unknown_kwarg(self, cls, kwargs, std_fn):
        with pytest.raises(TypeError, match='seed'):
            cls(seed=0, **kwargs)

    def test_attributes(self, cls, kwargs, std_fn):
        init = cls(**kwargs)
        assert init.dtype is None and init.rng is None
        assert isinstance(init, chainer.Initializer if hasattr(chainer, 'Initializer')
                          else chainer.initializer.Initializer)


@pytest.mark.parametrize('cls', [
    initializers.LeCunNormal, initializers.GlorotNormal, initializers.HeNormal])
@pytest.mark.parametrize('shape', [(), (5,)])
def test_fan_based_needs_2d(cls, shape):
    with pytest.raises(ValueError, match='length >= 2'):
        cls()(np.empty(shape, np.float32))


def test_normal_any_shape():
    for shape in [(), (5,), (0, 3), (2, 3, 4)]:
        a = np.empty(shape, np.float32)
        initializers.Normal(rng=np.random.RandomState(0))(a)
        assert a.shape == shape and np.isfinite(a).all()


def test_default_scales():
    assert initializers.Normal().scale == 0.05
    assert initializers.LeCunNormal().scale == 1.0
    assert initializers.GlorotNormal().scale == 1.0
    he = initializers.HeNormal()
    assert he.scale == 1.0 and he.fan_option == 'fan_in'


def test_positional_arguments():
    he = initializers.HeNormal(2.0, np.float64, 'fan_out')
    assert (he.scale, he.dtype, he.fan_option) == (2.0, np.float64, 'fan_out')


@pytest.mark.parametrize('fan_option', ['fan_avg', None, 'FAN_IN'])
def test_he_normal_invalid_fan_option(fan_option):
    # Chainer builds the initializer and refuses the option when it fills an array.
    init = initializers.HeNormal(fan_option=fan_option)
    assert init.fan_option == fan_option
    with pytest.raises(ValueError, match='fan_option'):
        init(np.empty((3, 4), np.float32))
    init = initializers.HeNormal()
    init.fan_option = fan_option
    with pytest.raises(ValueError, match='fan_option'):
        init(np.empty((3, 4), np.float32))


def test_he_normal_unknown_keyword_before_fan_option():
    with pytest.raises(TypeError):
        initializers.HeNormal(fan_option='fan_avg', seed=3)


def test_parameter_with_initializer():
    p = chainer.Parameter(initializers.HeNormal(rng=np.random.RandomState(0)), (30, 20))
    assert p.dtype == np.float32 and p.shape == (30, 20)
    assert np.isnan(p.grad).all()
    q = chainer.Parameter(initializers.GlorotNormal(dtype=np.float64))
    assert q.dtype == np.float64
    q.initialize((3, 2))
    assert q.array.dtype == np.float64 and q.grad.dtype == np.float64


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('use_rng', [False, True])
def test_normal_family_gpu(dtype, use_rng):
    import cupy
    for cls, kwargs, std_fn in CASES:
        a = cupy.empty(SHAPE, dtype)
        rng = np.random.RandomState(0) if use_rng else None
        cls(dtype=dtype, rng=rng, **kwargs)(a)
        assert a.dtype == dtype
        x = a.get().astype(np.float64)
        assert abs(x.std() / std_fn(*_fans(SHAPE)) - 1) < 0.02
    # a CuPy generator may fill a NumPy array
    b = np.empty((100, 100), np.float32)
    initializers.Normal(1.0, rng=cupy.random.RandomState(0))(b)
    assert abs(b.std() - 1) < 0.05
