import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests.functions_tests.normalization_tests import _util
from tests.chainer_tests.functions_tests import _spread


def _reference(x, groups, gamma, beta, eps):
    y = numpy.empty(x.shape)
    n, c = x.shape[:2]
    per = c // groups
    for i in range(n):
        for g in range(groups):
            block = x[i, g * per:(g + 1) * per].astype(numpy.float64)
            y[i, g * per:(g + 1) * per] = (block - block.mean()) / numpy.sqrt(block.var() + eps)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return y * gamma.reshape(shape) + beta.reshape(shape)


@testing.parameterize(*(
    testing.product({
        'shape': [(3, 4, 2, 3)],
        'groups': [2],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [
        {'shape': (2, 6), 'groups': 3, 'dtype': numpy.float64},
        {'shape': (2, 3, 5), 'groups': 1, 'dtype': numpy.float32},
        {'shape': (1, 4, 3), 'groups': 4, 'dtype': numpy.float64},
    ]
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestGroupNormalization(testing.FunctionTestCase):

    eps = 1e-2

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        c = self.shape[1]
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        gamma = numpy.random.uniform(0.5, 1.5, c).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, c).astype(self.dtype)
        return x, gamma, beta

    def forward(self, inputs, device):
        x, gamma, beta = inputs
        return F.group_normalization(x, self.groups, gamma, beta, eps=self.eps),

    def forward_expected(self, inputs):
        x, gamma, beta = inputs
        return _reference(x, self.groups, gamma, beta, self.eps).astype(self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 4, 3), numpy.float32)
    g = numpy.ones(4, numpy.float32)
    with pytest.raises(ValueError):
        F.group_normalization(x, 3, g, g)
    with pytest.raises(type_check.InvalidType):
        F.group_normalization(x, 2, numpy.ones(5, numpy.float32), numpy.ones(5, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.group_normalization(x.astype(numpy.int32), 2, g, g)
    with pytest.raises(type_check.InvalidType):
        F.group_normalization(numpy.zeros(4, numpy.float32), 2, g, g)


def test_float64_parameters_for_a_float32_input():
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((2, 4, 3)).astype(numpy.float32)
    gamma = rng.uniform(0.5, 1.5, 4)
    beta = rng.uniform(-1, 1, 4)
    vs = [chainer.Variable(a) for a in (x, gamma, beta)]
    y = F.group_normalization(vs[0], 2, vs[1], vs[2])
    assert y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array, _reference(x, 2, gamma, beta, 1e-5), rtol=1e-5,
                                  atol=1e-5)
    gx, ggamma, gbeta = chainer.grad([y], vs, [chainer.Variable(numpy.ones_like(x))])
    assert (gx.dtype, ggamma.dtype, gbeta.dtype) == (numpy.float32, numpy.float64,
                                                     numpy.float64)
    numpy.testing.assert_allclose(gbeta.array, numpy.full(4, 6.0))


def test_empty_batch():
    x = numpy.zeros((0, 4, 3), numpy.float32)
    g, b = numpy.ones(4, numpy.float32), numpy.zeros(4, numpy.float32)
    vs = [chainer.Variable(a) for a in (x, g, b)]
    y = F.group_normalization(vs[0], 2, vs[1], vs[2])
    assert y.shape == x.shape and y.dtype == x.dtype
    grads = chainer.grad([y], vs, [chainer.Variable(numpy.zeros_like(x))])
    assert [gr.shape for gr in grads] == [(0, 4, 3), (4,), (4,)]
    assert all(not gr.array.any() for gr in grads)


@pytest.mark.parametrize('groups, error', [(0, ValueError), (-1, ValueError),
                                           (2.0, TypeError), ('2', TypeError),
                                           (True, TypeError)])
def test_bad_groups(groups, error):
    # A non-integer is a TypeError, as in Chainer.
    from chainer.functions.normalization.group_normalization import GroupNormalization
    with pytest.raises(error):
        GroupNormalization(groups)
    if error is TypeError:
        x = numpy.ones((2, 4, 3), numpy.float32)
        with pytest.raises(TypeError):
            F.group_normalization(x, groups, numpy.ones(4, numpy.float32),
                                  numpy.ones(4, numpy.float32))


def test_gradient_of_a_transposed_output():
    # The gradient arrives with the transposed strides of F.transpose's backward
    # (as in WeightStandardization on a depthwise convolution).
    rng = numpy.random.RandomState(0)
    x = rng.randn(3, 4, 2, 5)
    gy = rng.randn(4, 3, 2, 5)
    gamma, beta = rng.randn(4), rng.randn(4)

    def grad(transposed):
        v = chainer.Variable(x.copy())
        y = F.group_normalization(v, 2, gamma, beta)
        if transposed:
            F.sum(F.transpose(y, (1, 0, 2, 3)) * gy).backward()
        else:
            F.sum(y * numpy.ascontiguousarray(gy.transpose(1, 0, 2, 3))).backward()
        return v.grad

    numpy.testing.assert_allclose(grad(True), grad(False), rtol=1e-12, atol=1e-12)


def test_check_messages_follow_chainers_order():
    x = numpy.zeros((2, 4, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        F.group_normalization(x, 2, numpy.zeros(5, 'f'), numpy.zeros(4, 'f'))
    assert str(e.value).endswith(
        'Expect: in_types[0].shape[1] == in_types[1].shape[0]\nActual: 4 != 5')
    with pytest.raises(ValueError, match="The number of channels 4 is not divisible by "
                                         "'groups' argument 3."):
        F.group_normalization(x, 3, numpy.zeros(4, 'f'), numpy.zeros(4, 'f'))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_small_input_bitwise_as_chainer(dtype):
    # Chainer's forms: per group xhat = (x - mean) / sqrt(var + eps) (1 / std by
    # reciprocal), y = xhat * gamma + beta; gx = inv_std * ((g - mean(g)) - xhat *
    # mean(g * xhat)) with g = gy * gamma
    rng = numpy.random.RandomState(0)
    x, gy = (rng.uniform(-1, 1, (2, 4, 3)).astype(dtype) for _ in range(2))
    gamma, beta = (rng.uniform(0.5, 1.5, 4).astype(dtype) for _ in range(2))
    vs = [chainer.Variable(a) for a in (x, gamma, beta)]
    y = F.group_normalization(vs[0], 2, vs[1], vs[2])
    gx, ggamma, gbeta = chainer.grad([y], vs, [chainer.Variable(gy)])
    xs = x.reshape(4, 6)
    mean = xs.mean(axis=1)
    x_hat = xs - mean[:, None]
    var = (x_hat * x_hat).mean(axis=1) + numpy.dtype(dtype).type(1e-5)
    inv_std = numpy.reciprocal(numpy.sqrt(var))
    x_hat *= inv_std[:, None]
    ey = x_hat.reshape(2, 4, 3) * gamma[:, None] + beta[:, None]
    assert y.array.tobytes() == ey.tobytes()
    g = (gy * gamma[:, None]).reshape(4, 6)
    g_std = g - g.mean(axis=1, keepdims=True) - x_hat * (g * x_hat).mean(axis=1, keepdims=True)
    assert gx.array.tobytes() == (inv_std[:, None] * g_std).reshape(2, 4, 3).tobytes()
    assert ggamma.array.tobytes() == (gy * x_hat.reshape(2, 4, 3)).sum(axis=(0, 2)).tobytes()


def test_large_input_per_channel_parameters_spread_over_a_sample(monkeypatch):
    # gamma and beta spread over a sample (NumPy's broadcast over short runs is
    # slow): the same bits, gradients included
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    gamma = rng.uniform(0.5, 1.5, (30,)).astype(numpy.float32)
    beta = rng.uniform(-1, 1, (30,)).astype(numpy.float32)

    def f(x, gamma, beta):
        return F.group_normalization(x, 3, gamma, beta)

    spread, fast, plain = _spread.spread_and_plain(monkeypatch, f, (x, gamma, beta))
    assert spread == 3
    for got, expected in zip(fast, plain):
        numpy.testing.assert_array_equal(got, expected)
    # beta's gradient (an einsum sum) within rounding of NumPy's sum
    gy = numpy.random.RandomState(0).uniform(-1, 1, x.shape).astype(numpy.float32)
    numpy.testing.assert_allclose(fast[3], gy.sum(axis=(0, 2, 3)), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_gradient_builds_g_in_float16s_copy_of_gy_only(dtype):
    # float16's float32 copy of gy becomes g once the sums are done (no third array
    # of its size); a float32 gy is the caller's and is left as it was.
    rs = numpy.random.RandomState(0)
    x = rs.randn(64, 32, 16, 16).astype(dtype)
    gamma = (rs.rand(32) + 0.5).astype(dtype)
    beta = rs.randn(32).astype(dtype)
    gy = rs.randn(*x.shape).astype(dtype)
    v = chainer.Variable(x)
    y = F.group_normalization(v, 4, gamma, beta)
    given = gy.copy()
    y.grad = given
    peak = peak_bytes(y.backward)
    numpy.testing.assert_array_equal(given, gy)
    if dtype == numpy.float16:
        assert peak < 4.5 * x.nbytes, peak
