import numpy
import pytest

import chainer

try:
    from chainer.functions.activation import softmax as _softmax_module  # noqa: F401
    _has_softmax = hasattr(_softmax_module, 'softmax')
except ImportError:
    _has_softmax = False

from chainer.functions.noise.gumbel_softmax import gumbel_softmax

needs_softmax = pytest.mark.skipif(not _has_softmax, reason='F.softmax is not available yet')


@needs_softmax
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('axis', [1, 0])
def test_output_is_a_distribution(dtype, axis):
    log_pi = numpy.log(numpy.random.dirichlet(numpy.ones(4), size=3)).astype(dtype)
    y = gumbel_softmax(log_pi, tau=0.5, axis=axis)
    assert y.dtype == dtype and y.shape == (3, 4)
    numpy.testing.assert_allclose(y.array.astype(numpy.float64).sum(axis=axis), 1,
                                  rtol=1e-2 if dtype == numpy.float16 else 1e-5)


@needs_softmax
def test_samples_follow_probabilities_and_gradient_flows():
    numpy.random.seed(0)
    p = numpy.array([0.7, 0.2, 0.1])
    log_pi = chainer.Variable(numpy.tile(numpy.log(p), (4000, 1)))
    y = gumbel_softmax(log_pi, tau=0.01)
    freq = numpy.bincount(y.array.argmax(axis=1), minlength=3) / 4000
    numpy.testing.assert_allclose(freq, p, atol=0.03)
    chainer.functions.sum(y * numpy.arange(3.0)).backward()
    assert log_pi.grad is not None and log_pi.grad.shape == (4000, 3)


def test_zero_dim_input_gives_one():
    y = gumbel_softmax(numpy.array(0.3, numpy.float32))
    assert y.shape == () and y.dtype == numpy.float32 and float(y.array) == 1.0
