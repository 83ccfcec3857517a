import numpy as np
import pytest

import chainer
from chainer import initializers

DTYPES = [np.float16, np.float32, np.float64]


class TestConstant:

    @pytest.mark.parametrize('dtype', DTYPES)
    @pytest.mark.parametrize('shape', [(), (3,), (2, 3), (2, 3, 4)])
    def test_scalar(self, dtype, shape):
        a = np.empty(shape, dtype)
        initializers.Constant(0.75, dtype)(a)
        np.testing.assert_array_equal(a, np.full(shape, 0.75, dtype))

    def test_broadcast_array(self):
        a = np.empty((2, 3), np.float32)
        initializers.Constant(np.array([1., 2., 3.]))(a)
        np.testing.assert_array_equal(a, [[1, 2, 3], [1, 2, 3]])
        assert a.dtype == np.float32

    def test_same_shape_array(self):
        src = np.arange(6.).reshape(2, 3)
        a = np.empty((2, 3), np.float64)
        initializers.Constant(src)(a)
        np.testing.assert_array_equal(a, src)
        assert a is not src

    def test_int_array(self):
        a = np.empty(3, np.int32)
        initializers.Constant(7)(a)
        np.testing.assert_array_equal(a, [7, 7, 7])

    def test_numpy_scalar(self):
        a = np.empty(2, np.float32)
        initializers.Constant(np.float64(1.5))(a)
        np.testing.assert_array_equal(a, [1.5, 1.5])

    def test_attributes(self):
        c = initializers.Constant(3.0, np.float16)
        assert c.fill_value == 3.0
        assert c.dtype == np.float16
        assert isinstance(c, chainer.initializer.Initializer)

    def test_unbroadcastable_array(self):
        with pytest.raises(ValueError):
            initializers.Constant(np.zeros(4))(np.empty((2, 3), np.float32))

    @pytest.mark.parametrize('value', [[1, 2], (1.0,), None, object()])
    def test_invalid_fill_value(self, value):
        with pytest.raises(ValueError, match='fill_value'):
            initializers.Constant(value)

    def test_dtype_mismatch(self):
        with pytest.raises(ValueError, match='dtype mismatch'):
            initializers.Constant(1.0, np.float32)(np.empty(3, np.float16))

    def test_generate_array_default_dtype(self):
        a = initializers.generate_array(initializers.Constant(2.0), (2,), np)
        assert a.dtype == np.float32
        with chainer.using_config('dtype', np.float64):
            b = initializers.generate_array(initializers.Constant(2.0), (2,), np)
        assert b.dtype == np.float64


@pytest.mark.parametrize('cls, value', [
    (initializers.Zero, 0.), (initializers.One, 1.), (initializers.NaN, np.nan)])
class TestFixedConstants:

    @pytest.mark.parametrize('dtype', DTYPES)
    def test_fill(self, cls, value, dtype):
        a = np.empty((3, 2), dtype)
        init = cls(dtype)
        init(a)
        np.testing.assert_array_equal(a, np.full((3, 2), value, dtype))
        assert init.dtype == dtype
        assert isinstance(init, initializers.Constant)

    def test_default_dtype(self, cls, value):
        assert cls().dtype is None
        a = initializers.generate_array(cls(), (4,), np)
        assert a.dtype == np.float32

    def test_dtype_mismatch(self, cls, value):
        with pytest.raises(ValueError, match='dtype mismatch'):
            cls(np.float64)(np.empty(2, np.float32))


def test_nan_into_int_array_casts_as_chainer():
    # Chainer cast the fill value as an array: NaN becomes the dtype's minimum.
    a = np.empty(3, np.int32)
    with pytest.warns(RuntimeWarning):
        initializers.NaN()(a)
    np.testing.assert_array_equal(a, np.full(3, np.iinfo(np.int32).min, np.int32))


def test_negative_into_unsigned_array_wraps():
    a = np.empty(2, np.uint8)
    initializers.Constant(-1)(a)
    np.testing.assert_array_equal(a, [255, 255])


def test_complex_into_real_array_keeps_real_part():
    # As Chainer: the imaginary part is dropped with NumPy's ComplexWarning.
    with pytest.warns(np.exceptions.ComplexWarning):
        p = chainer.Parameter(1 + 2j, (2,))
    np.testing.assert_array_equal(p.array, np.ones(2, np.float32))


class TestIdentity:

    @pytest.mark.parametrize('dtype', DTYPES)
    @pytest.mark.parametrize('scale', [1.0, 0.5, 3])
    def test_identity(self, dtype, scale):
        a = np.full((4, 4), 9, dtype)
        initializers.Identity(scale, dtype)(a)
        np.testing.assert_array_equal(a, np.identity(4, dtype) * dtype(scale))

    def test_off_diagonal_is_zero_times_scale(self):
        # Chainer filled identity(n) * scale: -0 off the diagonal for a negative
        # scale, NaN everywhere for a NaN scale.
        a = np.ones((3, 3), np.float32)
        initializers.Identity(-2.0)(a)
        assert np.signbit(a[0, 1]) and a[0, 1] == 0 and a[1, 1] == -2
        a = np.ones((2, 2), np.float16)
        initializers.Identity(float('nan'))(a)
        assert np.isnan(a).all()
        with pytest.warns(np.exceptions.ComplexWarning):
            initializers.Identity(1 + 2j)(a)
        np.testing.assert_array_equal(a, np.identity(2))

    def test_default_scale(self):
        init = initializers.Identity()
        assert init.scale == 1.0 and init.dtype is None
        a = initializers.generate_array(init, (3, 3), np)
        np.testing.assert_array_equal(a, np.identity(3))

    @pytest.mark.parametrize('shape', [(3,), (2, 3), (2, 2, 2), ()])
    def test_non_square(self, shape):
        with pytest.raises(ValueError, match='2D squared'):
            initializers.Identity()(np.empty(shape, np.float32))

    def test_dtype_mismatch(self):
        with pytest.raises(ValueError, match='dtype mismatch'):
            initializers.Identity(dtype=np.float64)(np.empty((2, 2), np.float32))


@pytest.mark.gpu
def test_constant_gpu():
    import cupy
    a = cupy.empty((2, 3), np.float32)
    initializers.Constant(np.array([1., 2., 3.]))(a)
    np.testing.assert_array_equal(a.get(), [[1, 2, 3], [1, 2, 3]])
    b = cupy.empty((2, 3), np.float16)
    initializers.Constant(cupy.arange(3.))(b)
    np.testing.assert_array_equal(b.get(), [[0, 1, 2], [0, 1, 2]])
    c = cupy.empty((3, 3), np.float32)
    initializers.Identity(2.0)(c)
    np.testing.assert_array_equal(c.get(), 2 * np.identity(3))
    initializers.NaN()(c)
    assert bool(cupy.isnan(c).all())
