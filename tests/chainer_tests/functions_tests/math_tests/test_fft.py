"""Tests of F.fft and F.ifft."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product({
    'method': ['fft', 'ifft'],
    'shape': [(4,), (2, 3), (2, 1, 5)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestFFT(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        rx = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        ix = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        return rx, ix

    def forward(self, inputs, device):
        return getattr(F, self.method)(inputs)

    def forward_expected(self, inputs):
        rx, ix = inputs
        y = getattr(numpy.fft, self.method)(rx.astype(numpy.float64) + 1j * ix)
        return y.real.astype(self.dtype), y.imag.astype(self.dtype)


def test_fft_ifft_roundtrip_and_single_output_gradient():
    r = chainer.Variable(numpy.random.randn(2, 4))
    i = chainer.Variable(numpy.random.randn(2, 4))
    yr, yi = F.ifft(F.fft((r, i)))
    numpy.testing.assert_allclose(yr.array, r.array, atol=1e-12)
    numpy.testing.assert_allclose(yi.array, i.array, atol=1e-12)
    # Only the real part used: the imaginary gradient is treated as zero.
    F.sum(F.fft((r, i))[0]).backward()
    assert r.grad.shape == (2, 4) and i.grad.shape == (2, 4)


@pytest.mark.parametrize('method', ['fft', 'ifft'])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_fft_on_numpy_transforms_in_double_precision(method, dtype):
    # NumPy 1 transformed every input as complex128, so Chainer's CPU results
    # were the double-precision transform rounded once; NumPy 2 would keep
    # complex64, whose rounding differs in the last bits.
    rng = numpy.random.RandomState(3)
    r = (rng.randn(6, 64) * 10).astype(dtype)
    i = (rng.randn(6, 64) * 10).astype(dtype)
    r[0, 0], i[0, 1] = numpy.nan, numpy.inf
    r_in, i_in = r.copy(), i.copy()
    with numpy.errstate(invalid='ignore'):  # inf * 0, as in real + imag * 1j
        yr, yi = getattr(F, method)((r, i))
        expected = getattr(numpy.fft, method)(r.astype(numpy.complex128) + i * 1j)
    assert yr.dtype == yi.dtype == dtype
    numpy.testing.assert_array_equal(yr.array, expected.real.astype(dtype))
    numpy.testing.assert_array_equal(yi.array, expected.imag.astype(dtype))
    # an infinite imaginary part makes the real part NaN, as real + imag * 1j does
    assert numpy.isnan(yr.array[0]).all() and numpy.isfinite(yr.array[1]).all()
    numpy.testing.assert_array_equal(r, r_in)
    numpy.testing.assert_array_equal(i, i_in)


def test_fft_bad_input():
    a = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.fft((a, numpy.ones((2, 4), numpy.float32)))
    with pytest.raises(type_check.InvalidType):
        F.fft((a, a.astype(numpy.float64)))
    with pytest.raises(type_check.InvalidType):
        F.ifft((numpy.ones((), numpy.float32), numpy.ones((), numpy.float32)))
    # Chainer's ``real, imag = x`` raised ValueError for another length and TypeError
    # for a non-iterable; ours keeps the category and names what a pair is.
    with pytest.raises(ValueError, match='pair'):
        F.fft(numpy.ones((3, 2), numpy.float32))
    with pytest.raises(ValueError, match='pair'):
        F.fft((numpy.ones((3, 2), numpy.float32),))
    with pytest.raises(TypeError, match='pair'):
        F.ifft(1.0)


def test_fft_unpacks_any_pair():
    # As Chainer: real, imag = x, so a stacked (2, ...) array or Variable works.
    a = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    expected = F.fft((a[0], a[1]))
    for x in (a, chainer.Variable(a), [a[0], a[1]]):
        got = F.fft(x)
        for g, e in zip(got, expected):
            numpy.testing.assert_array_equal(g.array, e.array)
    v = chainer.Variable(a)
    real, imag = F.ifft(v)
    F.sum(real * real + imag).backward()
    assert v.grad.shape == (2, 3)


testing.run_module(__name__, __file__)


def test_fft_and_ifft_nodes_are_labelled_fft():
    # As in Chainer, whose FFT node has no label of its own.
    x = numpy.ones((2, 4), numpy.float32)
    for f in (F.fft, F.ifft):
        assert f((x, x))[0].creator_node.label == 'FFT'
