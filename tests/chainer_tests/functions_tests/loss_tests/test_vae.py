import math

import numpy
import pytest

import chainer
from chainer import testing
from chainer.utils import type_check
from chainer.functions.loss.vae import bernoulli_nll, gaussian_kl_divergence, gaussian_nll

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances


def _reduce(loss, reduce, dtype):
    if reduce == 'sum':
        loss = loss.sum()
    elif reduce == 'mean':
        loss = loss.mean()
    return numpy.asarray(loss, dtype)


@testing.parameterize(*testing.product({
    'func': ['gaussian_kl_divergence', 'bernoulli_nll', 'gaussian_nll'],
    'shape': [(3, 2), ()],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['sum', 'mean', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestVAE(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 1e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        n = {'gaussian_kl_divergence': 2, 'bernoulli_nll': 2, 'gaussian_nll': 3}[self.func]
        xs = [numpy.random.uniform(-1, 1, self.shape).astype(self.dtype) for _ in range(n)]
        if self.func == 'bernoulli_nll':
            xs[0] = numpy.random.uniform(0, 1, self.shape).astype(self.dtype)
        return tuple(xs)

    def forward(self, inputs, device):
        f = {'gaussian_kl_divergence': gaussian_kl_divergence,
             'bernoulli_nll': bernoulli_nll, 'gaussian_nll': gaussian_nll}[self.func]
        return f(*inputs, reduce=self.reduce),

    def forward_expected(self, inputs):
        xs = [a.astype(numpy.float64) for a in inputs]
        if self.func == 'gaussian_kl_divergence':
            mean, ln_var = xs
            loss = 0.5 * (mean ** 2 + numpy.exp(ln_var) - ln_var - 1)
        elif self.func == 'bernoulli_nll':
            x, y = xs
            p = 1 / (1 + numpy.exp(-y))
            loss = -(x * numpy.log(p) + (1 - x) * numpy.log(1 - p))
        else:
            x, mean, ln_var = xs
            loss = 0.5 * (math.log(2 * math.pi) + ln_var + (x - mean) ** 2 / numpy.exp(ln_var))
        return _reduce(loss, self.reduce, self.dtype),


def test_bernoulli_nll_large_logits():
    x = numpy.array([1., 0.], numpy.float32)
    y = numpy.array([-200., -200.], numpy.float32)
    out = bernoulli_nll(x, y, reduce='no')
    numpy.testing.assert_allclose(out.array, [200., 0.], atol=1e-5)


def test_bad_inputs():
    a = numpy.zeros(3, numpy.float32)
    with pytest.raises(ValueError, match="only 'sum', 'mean' and 'no'"):
        gaussian_kl_divergence(a, a, reduce='max')
    with pytest.raises(ValueError):
        bernoulli_nll(a, a, reduce='foo')
    with pytest.raises(ValueError):
        gaussian_nll(a, a, a, reduce='foo')
    # An integer log variance or logit: Chainer's InvalidType from exp / softplus.
    with pytest.raises(type_check.InvalidType):
        gaussian_kl_divergence(a, a.astype(numpy.int32))
    with pytest.raises(type_check.InvalidType):
        bernoulli_nll(a, a.astype(numpy.int32))
    with pytest.raises(TypeError):
        gaussian_kl_divergence(a, a.tolist())
    with pytest.raises(TypeError):
        bernoulli_nll(None, a)


def test_observed_values_may_be_any_numbers():
    # As in Chainer, x (and the mean) are constants in the dtype of the logits or the
    # log variance: integer arrays, lists, Python scalars and other float dtypes.
    y = numpy.array([0.5, -1.0, 2.0], numpy.float32)
    x = numpy.array([1, 0, 1], numpy.int32)
    expected = bernoulli_nll(x.astype(numpy.float32), y)
    for other in (x, x.tolist(), x.astype(numpy.float64)):
        got = bernoulli_nll(other, y)
        assert got.dtype == numpy.float32
        numpy.testing.assert_allclose(got.array, expected.array, rtol=1e-6)
    assert gaussian_nll(1.0, [0, 1, 2], y).dtype == numpy.float32
    assert gaussian_kl_divergence(x, y.astype(numpy.float16)).dtype == numpy.float16


def test_mismatched_shapes_are_also_value_errors():
    # Chainer's gaussian_nll and bernoulli_nll failed in NumPy with a ValueError.
    a = numpy.zeros((2, 3), numpy.float32)
    b = numpy.zeros((2, 2), numpy.float32)
    for call in (lambda: gaussian_nll(a, b, a), lambda: bernoulli_nll(b, a)):
        with pytest.raises(type_check.InvalidType):
            call()
        with pytest.raises(ValueError):
            call()


class _Labels(chainer.FunctionHook):
    def __init__(self):
        self.seen = []

    def forward_preprocess(self, function, in_data):
        self.seen.append(function.label)


@pytest.mark.parametrize('wrap,labels', [
    (False, ['exp', '_ + _', '_ - _', '_ + (-1)', '_ * 0.5', 'Sum']),
    (True, ['exp', '_ * _', '_ + _', '_ - _', '_ + (-1)', '_ * 0.5', 'Sum'])])
def test_gaussian_kl_divergence_nodes_seen_by_hooks(wrap, labels):
    # Chainer's nodes in Chainer's order: exp first, ``- 1`` labelled ``_ + (-1)``,
    # an array mean squared in NumPy
    mean = numpy.zeros((2, 3), numpy.float32)
    ln_var = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    with _Labels() as hook:
        gaussian_kl_divergence(chainer.Variable(mean) if wrap else mean, ln_var)
    assert hook.seen == labels


def test_gaussian_nll_of_arrays_computes_the_constants_in_numpy():
    a = numpy.zeros((2, 3), numpy.float32)
    with _Labels() as hook:
        gaussian_nll(a, a, a)
    assert hook.seen == ['exp', '_ * _', '_ * (-0.5)', '_ - _', 'Sum']


def test_bernoulli_nll_nodes_seen_by_hooks():
    # as in Chainer: x * y with the logits kept an array when they are one
    x = numpy.ones((2, 3), numpy.float32)
    y = numpy.zeros((2, 3), numpy.float32)
    with _Labels() as hook:
        bernoulli_nll(x, y)
    assert hook.seen == ['Softplus', '_ - _', 'Sum']
    with _Labels() as hook:
        bernoulli_nll(chainer.Variable(x), y)
    assert hook.seen == ['Softplus', '_ * _', '_ - _', 'Sum']
