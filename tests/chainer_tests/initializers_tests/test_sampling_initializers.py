import numpy as np
import pytest

from chainer import initializers

DTYPES = [np.float16, np.float32, np.float64]


def _ksize(factor):
    return 2 * factor - factor % 2


def _deconv1d(x, w, stride, pad):
    # transposed convolution of a 1-D signal with a 1-D filter
    out = np.zeros((len(x) - 1) * stride + len(w))
    for i, v in enumerate(x):
        out[i * stride:i * stride + len(w)] += v * w
    return out[pad:len(out) - pad]


class TestUpsamplingDeconvFilter:

    def test_values_ksize4(self):
        a = np.empty((2, 2, 4, 4), np.float64)
        initializers.UpsamplingDeconvFilter()(a)
        tent = np.array([0.25, 0.75, 0.75, 0.25])
        np.testing.assert_allclose(a[0, 0], np.outer(tent, tent))
        np.testing.assert_array_equal(a[1, 1], a[0, 0])
        assert (a[0, 1] == 0).all() and (a[1, 0] == 0).all()

    def test_values_ksize3(self):
        a = np.empty((1, 1, 3), np.float32)
        initializers.UpsamplingDeconvFilter()(a)
        np.testing.assert_allclose(a[0, 0], [0.5, 1., 0.5])

    @pytest.mark.parametrize('factor', [2, 3, 4])
    def test_linear_interpolation_1d(self, factor):
        k = _ksize(factor)
        a = np.empty((1, 1, k))
        initializers.UpsamplingDeconvFilter()(a)
        # every output pixel gets weights summing to 1
        w = a[0, 0]
        for r in range(factor):
            assert w[r::factor].sum() == pytest.approx(1.0)
        x = np.arange(8.)
        y = _deconv1d(x, w, factor, int(np.ceil((factor - 1) / 2)))
        inner = y[factor:-factor]
        np.testing.assert_allclose(np.diff(inner), 1. / factor)

    @pytest.mark.parametrize('dtype', DTYPES)
    def test_3d_and_dtype(self, dtype):
        a = np.empty((3, 3, 4, 4, 4), dtype)
        initializers.UpsamplingDeconvFilter(dtype=dtype)(a)
        assert a.dtype == dtype
        tent = np.array([0.25, 0.75, 0.75, 0.25])
        expected = tent[:, None, None] * tent[None, :, None] * tent[None, None, :]
        for c in range(3):
            np.testing.assert_allclose(a[c, c], expected.astype(dtype), rtol=1e-3)
        assert a.sum() == pytest.approx(3 * expected.sum(), rel=1e-3)

    def test_single_output_channel(self):
        a = np.full((3, 1, 4, 4), 9., np.float32)
        initializers.UpsamplingDeconvFilter()(a)
        for c in range(3):
            np.testing.assert_array_equal(a[c, 0], a[0, 0])
        assert a[0, 0, 1, 1] == pytest.approx(0.5625)

    def test_channel_mismatch(self):
        with pytest.raises(ValueError, match='out_channels'):
            initializers.UpsamplingDeconvFilter()(np.empty((3, 2, 4, 4), np.float32))
        # Chainer failed an assertion here: the error is an AssertionError too.
        for init in (initializers.UpsamplingDeconvFilter(),
                     initializers.DownsamplingConvFilter()):
            with pytest.raises(AssertionError):
                init(np.empty((1, 2, 4, 4), np.float32))
            with pytest.raises(AssertionError):
                init(np.empty((2, 2), np.float32))

    def test_kernel_sizes_differ(self):
        with pytest.raises(ValueError, match='ksize must be all same'):
            initializers.UpsamplingDeconvFilter()(np.empty((2, 2, 4, 3), np.float32))

    @pytest.mark.parametrize('shape', [(2, 2), (4,), ()])
    def test_too_few_dims(self, shape):
        with pytest.raises(ValueError, match='at least 3 dimensions'):
            initializers.UpsamplingDeconvFilter()(np.empty(shape, np.float32))

    def test_bad_interpolation(self):
        with pytest.raises(ValueError, match='interpolation'):
            initializers.UpsamplingDeconvFilter('nearest')

    def test_dtype_mismatch(self):
        with pytest.raises(ValueError, match='dtype mismatch'):
            initializers.UpsamplingDeconvFilter(dtype=np.float32)(
                np.empty((1, 1, 4, 4), np.float64))

    def test_default_dtype(self):
        init = initializers.UpsamplingDeconvFilter()
        assert init.interpolation == 'linear' and init.dtype is None
        a = initializers.generate_array(init, (2, 2, 4, 4), np)
        assert a.dtype == np.float32


class TestDownsamplingConvFilter:

    @pytest.mark.parametrize('k', [2, 3, 4, 5, 6])
    @pytest.mark.parametrize('nd', [1, 2, 3])
    def test_normalized(self, k, nd):
        a = np.empty((2, 2) + (k,) * nd)
        initializers.DownsamplingConvFilter()(a)
        assert a[0, 0].sum() == pytest.approx(1.0)
        assert a[1, 1].sum() == pytest.approx(1.0)
        assert (a[0, 1] == 0).all() and (a[1, 0] == 0).all()
        assert (a[0, 0] > 0).all()

    def test_proportional_to_upsampling(self):
        up = np.empty((1, 1, 4, 4))
        down = np.empty((1, 1, 4, 4))
        initializers.UpsamplingDeconvFilter()(up)
        initializers.DownsamplingConvFilter()(down)
        np.testing.assert_allclose(down, up / up.sum())

    def test_single_input_channel(self):
        a = np.empty((3, 1, 3, 3), np.float32)
        initializers.DownsamplingConvFilter()(a)
        expected = np.outer([0.5, 1, 0.5], [0.5, 1, 0.5]) / 4.
        for c in range(3):
            np.testing.assert_allclose(a[c, 0], expected)

    @pytest.mark.parametrize('dtype', DTYPES)
    def test_dtype(self, dtype):
        a = np.empty((2, 2, 4, 4), dtype)
        initializers.DownsamplingConvFilter(dtype=dtype)(a)
        assert a.dtype == dtype
        assert float(a[0, 0].astype(np.float64).sum()) == pytest.approx(1.0, rel=1e-3)

    def test_channel_mismatch(self):
        with pytest.raises(ValueError, match='in_channels'):
            initializers.DownsamplingConvFilter()(np.empty((2, 3, 4, 4), np.float32))

    def test_kernel_sizes_differ(self):
        with pytest.raises(ValueError, match='ksize must be all same'):
            initializers.DownsamplingConvFilter()(np.empty((2, 2, 3, 3, 2), np.float32))

    def test_too_few_dims(self):
        with pytest.raises(ValueError, match='at least 3 dimensions'):
            initializers.DownsamplingConvFilter()(np.empty((2, 2), np.float32))

    def test_bad_interpolation(self):
        with pytest.raises(ValueError, match='interpolation'):
            initializers.DownsamplingConvFilter(interpolation='cubic')

    def test_dtype_mismatch(self):
        with pytest.raises(ValueError, match='dtype mismatch'):
            initializers.DownsamplingConvFilter(dtype=np.float16)(
                np.empty((1, 1, 4, 4), np.float32))


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', DTYPES)
def test_sampling_filters_gpu(dtype):
    import cupy
    for cls in (initializers.UpsamplingDeconvFilter, initializers.DownsamplingConvFilter):
        a = cupy.empty((3, 3, 4, 4), dtype)
        cls()(a)
        b = np.empty((3, 3, 4, 4), dtype)
        cls()(b)
        np.testing.assert_array_equal(a.get(), b)
