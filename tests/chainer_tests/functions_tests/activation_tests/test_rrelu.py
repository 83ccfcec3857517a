import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import traced_peak

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'train': [True, False],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestRReLU(testing.FunctionTestCase):
    """With a fixed ``r`` (train) or the mean slope (test)."""

    l, u = 0.1, 0.3

    def setUp(self):
        self.r = numpy.random.uniform(self.l, self.u, self.shape).astype(self.dtype)
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        x[numpy.abs(x) < 0.1] = 0.5
        return x,

    def forward(self, inputs, device):
        # The numerical gradient runs in float64: r follows the input dtype.
        r = device.send(self.r.astype(inputs[0].dtype))
        with chainer.using_config('train', self.train):
            return F.rrelu(inputs[0], l=self.l, u=self.u, r=r),

    def forward_expected(self, inputs):
        x, = inputs
        r = self.r if self.train else (self.l + self.u) / 2
        return numpy.asarray(numpy.where(x >= 0, x, x * r), dtype=self.dtype),


def test_random_slopes_in_train():
    x = -numpy.ones((50, 40), numpy.float32)
    y, r = F.rrelu(x, return_r=True)
    assert r.shape == x.shape and r.dtype == numpy.float32
    assert (r >= 1. / 8).all() and (r <= 1. / 3).all()
    assert len(numpy.unique(r)) > 1
    numpy.testing.assert_array_equal(y.array, x * r)
    # The drawn slopes are the ones used in backward.
    v = chainer.Variable(x)
    y, r = F.rrelu(v, return_r=True)
    F.sum(y).backward()
    numpy.testing.assert_array_equal(v.grad, r)


def test_fixed_slope_in_test_mode():
    x = numpy.array([-2.0, 3.0], numpy.float32)
    with chainer.using_config('train', False):
        y, r = F.rrelu(x, l=0.1, u=0.3, return_r=True)
    numpy.testing.assert_allclose(y.array, [-0.4, 3.0], rtol=1e-6)
    numpy.testing.assert_allclose(r, [0.2, 0.2], rtol=1e-6)


def test_returns_variable_by_default():
    assert isinstance(F.rrelu(numpy.zeros(2, numpy.float32)), chainer.Variable)


@pytest.mark.parametrize('l,u', [(-0.1, 0.3), (0.1, 1.0), (0.3, 0.2), (0.2, 0.2)])
def test_bad_bounds(l, u):
    with pytest.raises(ValueError):
        F.rrelu(numpy.zeros(2, numpy.float32), l=l, u=u)


def test_r_shape_and_dtype_must_match():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.rrelu(x, r=numpy.full((3,), 0.2, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.rrelu(x, r=numpy.full((2, 3), 0.2, numpy.float64))


def test_unexpected_kwargs():
    x = numpy.zeros(2, numpy.float32)
    with pytest.raises(ValueError, match='using_config'):
        F.rrelu(x, train=True)
    with pytest.raises(TypeError, match='unexpected keyword'):
        F.rrelu(x, foo=1)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.rrelu(numpy.zeros(2, numpy.int32))


def test_given_r_is_checked_and_ignored_in_test_mode():
    x = numpy.array([-2.0, 3.0], numpy.float32)
    r = numpy.array([0.9, 0.9], numpy.float32)
    with chainer.using_config('train', False):
        y = F.rrelu(x, l=0.1, u=0.3, r=r)
        numpy.testing.assert_allclose(y.array, [-0.4, 3.0], rtol=1e-6)
        with pytest.raises(type_check.InvalidType):
            F.rrelu(x, r=r[:1])


@pytest.mark.parametrize('r', [
    0.2, [0.2, 0.2], chainer.Variable(numpy.full(2, 0.2, numpy.float32))])
def test_r_must_be_an_array(r):
    with pytest.raises(TypeError):
        F.rrelu(numpy.zeros(2, numpy.float32), r=r)


@pytest.mark.parametrize('l, u, message', [
    (1.5, 0.3, 'lower must be in the range'), (0.1, 1.2, 'upper must be in the range'),
    (0.3, 0.2, 'lower must be less than upper')])
def test_bad_bounds_messages_are_chainers(l, u, message):
    with pytest.raises(ValueError, match=message):
        F.rrelu(numpy.zeros(2, numpy.float32), l=l, u=u)


def test_nan_input_takes_the_slope_r():
    # forward keeps x where x >= 0 and scales it by r elsewhere, NaN included;
    # the gradient does the same (Chainer's tested the output against 0 the same way).
    x = chainer.Variable(numpy.array([numpy.nan, -1.0, 2.0], numpy.float32))
    with chainer.using_config('train', False):
        y = F.rrelu(x, l=0.2, u=0.4)
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_allclose(x.grad, [0.3, 0.3, 1.0], rtol=1e-6)


def test_training_forward_frees_the_float64_draw():
    # r is drawn in float64 and cast to x's dtype; the draw is gone before the output
    # is built (float64 draw, float32 r, mask, product and output at once were 5 times x)
    x = numpy.random.RandomState(0).randn(256, 1024).astype(numpy.float32)  # 1 MiB
    with traced_peak() as traced:
        with chainer.using_config('train', True), chainer.no_backprop_mode():
            y, r = F.rrelu(x, return_r=True)
    peak = traced.bytes
    assert peak < 3.5 * x.nbytes, peak
    assert r.dtype == numpy.float32
    numpy.testing.assert_array_equal(y.array, numpy.where(x >= 0, x, x * r))
