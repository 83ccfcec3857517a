import numpy as np
import pytest

import chainer
from chainer import initializers

DTYPES = [np.float16, np.float32, np.float64]
SHAPE = (400, 50, 2)  # fan_in 100, fan_out 800; 40000 samples


def _fans(shape):
    return shape[1] * int(np.prod(shape[2:])), shape[0] * int(np.prod(shape[2:]))


# (class, kwargs, expected bound s as a function of (fan_in, fan_out))
CASES = [
    (initializers.Uniform, {}, lambda fi, fo: 0.05),
    (initializers.Uniform, {'scale': 2.0}, lambda fi, fo: 2.0),
    (initializers.LeCunUniform, {}, lambda fi, fo: np.sqrt(3. / fi)),
    (initializers.LeCunUniform, {'scale': 3.0}, lambda fi, fo: 3 * np.sqrt(3. / fi)),
    (initializers.GlorotUniform, {}, lambda fi, fo: np.sqrt(6. / (fi + fo))),
    (initializers.GlorotUniform, {'scale': 0.5},
     lambda fi, fo: 0.5 * np.sqrt(6. / (fi + fo))),
    (initializers.HeUniform, {}, lambda fi, fo: np.sqrt(6. / fi)),
    (initializers.HeUniform, {'scale': 2.0}, lambda fi, fo: 2 * np.sqrt(6. / fi)),
]


@pytest.mark.parametrize('cls, kwargs, bound_fn', CASES)
class TestUniformFamily:

    @pytest.mark.parametrize('dtype', DTYPES)
    def test_statistics(self, cls, kwargs, bound_fn, dtype):
        a = np.empty(SHAPE, dtype)
        cls(dtype=dtype, rng=np.random.RandomState(0), **kwargs)(a)
        assert a.dtype == dtype and a.shape == SHAPE
        s = bound_fn(*_fans(SHAPE))
        x = a.astype(np.float64)
        tol = 1e-3 * s  # float16 rounding may touch the bound
        assert x.min() >= -s - tol and x.max() <= s + tol
        assert x.min() < -0.99 * s and x.max() > 0.99 * s
        assert abs(x.mean()) < 0.02 * s
        assert abs(x.std() / (s / np.sqrt(3)) - 1) < 0.02
        # flat histogram
        hist, _ = np.histogram(x, bins=10, range=(-s - tol, s + tol))
        assert np.all(np.abs(hist / x.size - 0.1) < 0.01)

    def test_default_rng_is_numpy_random(self, cls, kwargs, bound_fn):
        shape = (6, 5, 3)
        np.random.seed(3)
        a = np.empty(shape, np.float32)
        cls(**kwargs)(a)
        np.random.seed(3)
        s = bound_fn(*_fans(shape))
        expected = np.random.uniform(-s, s, shape).astype(np.float32)
        np.testing.assert_array_equal(a, expected)

    def test_rng_reproducible(self, cls, kwargs, bound_fn):
        a = np.empty((4, 3), np.float32)
        b = np.empty((4, 3), np.float32)
        cls(rng=np.random.RandomState(7), **kwargs)(a)
        cls(rng=np.random.RandomState(7), **kwargs)(b)
        np.testing.assert_array_equal(a, b)

    def test_numpy_generator(self, cls, kwargs, bound_fn):
        a = np.empty(SHAPE, np.float32)
        cls(rng=np.random.default_rng(0), **kwargs)(a)
        s = bound_fn(*_fans(SHAPE))
        assert np.abs(a).max() <= s * (1 + 1e-6)
        assert abs(a.std() / (s / np.sqrt(3)) - 1) < 0.02

    def test_dtype_mismatch(self, cls, kwargs, bound_fn):
        with pytest.raises(ValueError, match='dtype mismatch'):
            cls(dtype=np.float64, **kwargs)(np.empty((3, 4), np.float32))

    def test_generate_array_dtype(self, cls, kwargs, bound_fn):
        assert initializers.generate_array(cls(**kwargs), (3, 4), np).dtype == np.float32
        with chainer.using_config('dtype', np.float64):
            a = initializers.generate_array(cls(**kwargs), (3, 4), np)
        assert a.dtype == np.float64

    def test_unknown_kwarg(self, cls, kwargs, bound_fn):
        with pytest.raises(TypeError, match='fan_option'):
            cls(fan_option='fan_in', **kwargs)

    def test_attributes(self, cls, kwargs, bound_fn):
        init = cls(**kwargs)
        assert init.dtype is None and init.rng is None
        assert isinstance(init, chainer.initializer.Initializer)


@pytest.mark.parametrize('cls', [
    initializers.LeCunUniform, initializers.GlorotUniform, initializers.HeUniform])
@pytest.mark.parametrize('shape', [(), (5,)])
def test_fan_based_needs_2d(cls, shape):
    with pytest.raises(ValueError, match='length >= 2'):
        cls()(np.empty(shape, np.float32))


def test_uniform_any_shape():
    for shape in [(), (5,), (0, 3), (2, 3, 4)]:
        a = np.empty(shape, np.float32)
        initializers.Uniform(rng=np.random.RandomState(0))(a)
        assert a.shape == shape and (np.abs(a) <= 0.05).all()


def test_default_scales():
    assert initializers.Uniform().scale == 0.05
    for cls in (initializers.LeCunUniform, initializers.GlorotUniform,
                initializers.HeUniform):
        assert cls().scale == 1.0


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('use_rng', [False, True])
def test_uniform_family_gpu(dtype, use_rng):
    import cupy
    for cls, kwargs, bound_fn in CASES:
        a = cupy.empty(SHAPE, dtype)
        rng = np.random.RandomState(0) if use_rng else None
        cls(dtype=dtype, rng=rng, **kwargs)(a)
        assert a.dtype == dtype
        x = a.get().astype(np.float64)
        s = bound_fn(*_fans(SHAPE))
        assert np.abs(x).max() <= s * (1 + 1e-3)
        assert abs(x.std() / (s / np.sqrt(3)) - 1) < 0.02
