import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests.functions_tests.normalization_tests import _util


@testing.parameterize(*(
    testing.product({
        'shape': [(2, 7, 3, 2)],
        'n': [5],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [{'shape': (3, 4), 'n': 3, 'dtype': numpy.float64},
          {'shape': (2, 3, 2), 'n': 1, 'dtype': numpy.float64},
          {'shape': (1, 2, 2), 'n': 6, 'dtype': numpy.float32}]
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLocalResponseNormalization(testing.FunctionTestCase):

    k, alpha, beta = 1.5, 0.3, 0.75

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        return F.local_response_normalization(x, self.n, self.k, self.alpha, self.beta),

    def forward_expected(self, inputs):
        x, = inputs
        x64 = x.astype(numpy.float64)
        y = numpy.empty(x.shape)
        half = self.n // 2
        c = x.shape[1]
        for ch in range(c):
            lo, hi = max(0, ch - half), min(c, ch + half + 1)
            s = (x64[:, lo:hi] ** 2).sum(axis=1)
            y[:, ch] = x64[:, ch] / (self.k + self.alpha * s) ** self.beta
        return y.astype(self.dtype),


def test_default_constants():
    x = numpy.random.randn(2, 6, 3).astype(numpy.float32)
    y = F.local_response_normalization(x)
    assert y.shape == x.shape
    numpy.testing.assert_allclose(y.array, x / 2 ** 0.75, rtol=1e-3)


@pytest.mark.parametrize('n', [1, 2, 5])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_array_input_gives_variable(n, dtype):
    x = numpy.random.randn(2, 3, 2).astype(dtype)
    y = F.local_response_normalization(x, n)
    assert isinstance(y, chainer.Variable) and y.dtype == dtype
    numpy.testing.assert_allclose(
        y.array, F.local_response_normalization(chainer.Variable(x), n).array)


def test_bad_inputs():
    with pytest.raises(type_check.InvalidType):
        F.local_response_normalization(numpy.zeros(3, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.local_response_normalization(numpy.zeros((2, 3), numpy.int32))


def test_float16_node_keeps_float16_scales():
    # As in Chainer, the scales kept for backward have x's dtype: no float32
    # copies of a float16 x stay on the node.
    x = chainer.Variable(numpy.random.uniform(-1, 1, (2, 7, 3, 3)).astype(numpy.float16))
    y = F.local_response_normalization(x)
    node = y.creator
    held = [v for v in vars(node).values() if isinstance(v, numpy.ndarray) and v.size == x.size]
    assert held and all(a.dtype == numpy.float16 for a in held)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    x64 = chainer.Variable(x.array.astype(numpy.float64))
    F.sum(F.local_response_normalization(x64)).backward()
    assert x.grad.dtype == numpy.float16
    numpy.testing.assert_allclose(x.grad, x64.grad, atol=2e-3)


def test_float16_goes_through_float32_a_block_of_samples_at_a_time(monkeypatch):
    # Forward and (not differentiated again) backward take float16 in float32 a
    # block of samples at a time, with the bits of whole float32 copies.
    from chainer.utils import array as array_utils
    rs = numpy.random.RandomState(0)
    x = (rs.randn(64, 32, 16, 16) * 3).astype(numpy.float16)  # 1 MiB
    gy = rs.randn(*x.shape).astype(numpy.float16)

    def run():
        v = chainer.Variable(x)
        y = F.local_response_normalization(v)
        y.grad = gy
        return y.array, v, peak_bytes(y.backward)

    with chainer.no_backprop_mode():
        # y and the two float16 scales the node keeps, and blocks
        assert peak_bytes(lambda: F.local_response_normalization(x)) < 5.5 * x.nbytes
    y, v, peak = run()
    assert peak < 4 * x.nbytes
    monkeypatch.setattr(array_utils, '_COMPUTE_BLOCK', 1 << 40)
    y_whole, v_whole, _ = run()
    assert y.tobytes() == y_whole.tobytes()
    assert v.grad.tobytes() == v_whole.grad.tobytes()
