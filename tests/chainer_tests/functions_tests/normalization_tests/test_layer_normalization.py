import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.normalization_tests import _util


@testing.parameterize(*(
    testing.product({
        'shape': [(3, 5)],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [{'shape': (2, 3, 2), 'dtype': numpy.float64},
          {'shape': (0, 4), 'dtype': numpy.float32}]
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLayerNormalization(testing.FunctionTestCase):

    eps = 1e-2

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        gamma = numpy.random.uniform(0.5, 1.5, self.shape[1:]).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, self.shape[1:]).astype(self.dtype)
        return x, gamma, beta

    def forward(self, inputs, device):
        return F.layer_normalization(*inputs, eps=self.eps),

    def forward_expected(self, inputs):
        x, gamma, beta = inputs
        y = numpy.empty(x.shape)
        for i in range(len(x)):
            row = x[i].astype(numpy.float64)
            y[i] = (row - row.mean()) / numpy.sqrt(row.var() + self.eps) * gamma + beta
        return y.astype(self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.layer_normalization(x, numpy.ones(4, 'f'), numpy.ones(4, 'f'))
    with pytest.raises(type_check.InvalidType):
        F.layer_normalization(x, numpy.ones(3, 'd'), numpy.ones(3, 'd'))
    with pytest.raises(type_check.InvalidType):
        F.layer_normalization(numpy.zeros(3, 'f'), numpy.ones(3, 'f'), numpy.ones(3, 'f'))


def test_gamma_beta_of_another_length_are_also_value_errors():
    # Chainer's NumPy broadcasting raised ValueError there.
    x = numpy.zeros((3, 2), numpy.float32)
    with pytest.raises(ValueError):
        F.layer_normalization(x, numpy.ones(3, 'f'), numpy.ones(3, 'f'))


def test_gamma_beta_of_one_unit_broadcast():
    # As in Chainer: (1,)-shaped gamma and beta scale and shift every unit.
    x = chainer.Variable(numpy.random.RandomState(0).randn(3, 4))
    g, b = chainer.Variable(numpy.array([2.0])), chainer.Variable(numpy.array([0.5]))
    y = F.layer_normalization(x, g, b)
    want = F.layer_normalization(x.array, numpy.full(4, 2.0), numpy.full(4, 0.5))
    numpy.testing.assert_allclose(y.array, want.array)
    gy = numpy.random.RandomState(1).randn(3, 4)
    y.grad = gy
    y.backward()
    xhat = (want.array - 0.5) / 2.0
    numpy.testing.assert_allclose(g.grad, [(gy * xhat).sum()])
    numpy.testing.assert_allclose(b.grad, [gy.sum()])


def _grads_in(dtype, fn, arrays, gy):
    vs = [chainer.Variable(a.astype(dtype)) for a in arrays]
    y = fn(*vs)
    grads = chainer.grad([y], vs, [chainer.Variable(gy.astype(dtype))])
    return [y.array] + [g.array for g in grads]


def test_large_offset_float32_against_float64():
    """Rows far from zero, large enough for the one-pass reductions; nothing that
    goes in is modified."""
    rng = numpy.random.default_rng(0)
    x = (500 + rng.standard_normal((64, 9, 13))).astype(numpy.float32)
    gamma = rng.uniform(0.5, 1.5, (9, 13)).astype(numpy.float32)
    beta = rng.uniform(-1, 1, (9, 13)).astype(numpy.float32)
    gy = rng.standard_normal(x.shape).astype(numpy.float32)
    before = [a.copy() for a in (x, gamma, beta, gy)]
    got = _grads_in(numpy.float32, F.layer_normalization, (x, gamma, beta), gy)
    expected = _grads_in(numpy.float64, F.layer_normalization, (x, gamma, beta), gy)
    for g, e in zip(got, expected):
        assert g.dtype == numpy.float32 and g.shape == e.shape
        numpy.testing.assert_allclose(g, e, rtol=2e-3, atol=2e-3)
    for b, a in zip(before, (x, gamma, beta, gy)):
        numpy.testing.assert_array_equal(b, a)


def test_node_applied_directly():
    from chainer.functions.normalization.layer_normalization import LayerNormalization
    x = numpy.random.randn(3, 4).astype(numpy.float32)
    g, b = numpy.ones(4, numpy.float32), numpy.zeros(4, numpy.float32)
    y, = LayerNormalization(1e-5).apply((x, g, b))
    numpy.testing.assert_allclose(y.array, F.layer_normalization(x, g, b).array)
    numpy.testing.assert_allclose(y.array.mean(axis=1), 0, atol=1e-6)


@pytest.mark.parametrize('shapes, dtypes, expect', [
    # Chainer's order: ndims, dtypes against x, then gamma against beta.
    (((2, 3), (4,), (3,)), 'fff',
     'Expect: in_types[1].shape == in_types[2].shape\nActual: (4,) != (3,)'),
    (((2, 3), (3,), ()), 'fff', 'Expect: in_types[2].ndim == 1\nActual: 0 != 1'),
    (((2, 3), (3,), (3,)), 'fdf',
     'Expect: in_types[1].dtype == in_types[0].dtype\nActual: float64 != float32'),
])
def test_check_messages_follow_chainers_order(shapes, dtypes, expect):
    x, gamma, beta = (numpy.zeros(s, d) for s, d in zip(shapes, dtypes))
    with pytest.raises(type_check.InvalidType) as e:
        F.layer_normalization(x, gamma, beta)
    assert str(e.value).endswith(expect)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_small_input_bitwise_as_chainer(dtype):
    # Chainer's forward: mu = mean(x), var = mean((x - mu) ** 2),
    # inv_std = 1 / sqrt(var + eps), y = (x - mu) * inv_std * gamma + beta; and its
    # backward through each of those steps
    rng = numpy.random.RandomState(0)
    x, gy = (rng.uniform(-1, 1, (3, 5)).astype(dtype) for _ in range(2))
    gamma, beta = (rng.uniform(0.5, 1.5, 5).astype(dtype) for _ in range(2))
    vs = [chainer.Variable(a) for a in (x, gamma, beta)]
    y = F.layer_normalization(*vs)
    gx, ggamma, gbeta = chainer.grad([y], vs, [chainer.Variable(gy)])
    d = numpy.dtype(dtype).type
    mu = x.mean(axis=1, keepdims=True)
    x_mu = x - mu
    var = numpy.square(x_mu).mean(axis=1, keepdims=True)
    inv_std = d(1.) / numpy.sqrt(var + d(1e-5))
    x_hat = x_mu * inv_std
    assert y.array.tobytes() == (x_hat * gamma + beta).tobytes()
    g_x_hat = gy * gamma
    g_inv_std = (g_x_hat * x_mu).sum(axis=1, keepdims=True)
    g_std = g_inv_std * (d(-1.) / (var + d(1e-5)))
    g_var = g_std * d(0.5) * inv_std
    g_x_1 = g_x_hat * inv_std + g_var * d(1. / 5) * d(2) * x_mu
    g_x = g_x_1 + g_x_1.sum(axis=1, keepdims=True) * d(-1.) * d(1. / 5)
    assert gx.array.tobytes() == g_x.tobytes()
    assert ggamma.array.tobytes() == (gy * x_hat).sum(axis=0).tobytes()
    assert gbeta.array.tobytes() == gy.sum(axis=0).tobytes()
