import numpy
import pytest

from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check
from chainer.functions.loss.discriminative_loss import (
    discriminative_margin_based_clustering_loss as dloss)

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances

_DV, _DD, _DIM = 0.2, 0.8, 3


def _reference(emb, labels, norm, alpha=1.0, beta=1.0, gamma=0.001):
    emb = emb.astype(numpy.float64)
    B, C = emb.shape[:2]

    def nrm(v, axis):
        return numpy.abs(v).sum(axis=axis) if norm == 1 else numpy.sqrt((v ** 2).sum(axis=axis))

    means = numpy.zeros((_DIM, B, C))
    l_var_c = []
    for c in range(_DIM):
        total = 0.0
        n_pix = 0
        for b in range(B):
            m = labels[b] == c + 1
            if m.any():
                means[c, b] = emb[b][:, m].mean(axis=1)
        for b in range(B):
            m = labels[b] == c + 1
            n_pix += m.sum()
            if m.any():
                d = nrm(emb[b][:, m] - means[c, b][:, None], 0)
                total += (numpy.maximum(d - _DV, 0) ** 2).sum()
        l_var_c.append(total / max(n_pix, 1))
    l_var = sum(l_var_c) / _DIM
    l_reg = sum(nrm(means[c].ravel(), 0) for c in range(_DIM)) / (_DIM * B)
    l_dist = 0.0
    count = 0
    for a in range(_DIM):
        for b in range(a + 1, _DIM):
            d = nrm(means[a] - means[b], 1)
            l_dist += (numpy.maximum(2 * _DD - d, 0) ** 2).sum()
            count += 1
    l_dist /= max(count * B, 1)
    return alpha * l_var, beta * l_dist, gamma * l_reg


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'norm': [1, 2],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDiscriminativeLoss(testing.FunctionTestCase):

    # the relu margins have kinks where the numerical gradient is unreliable
    dodge_nondifferentiable = True

    def setUp(self):
        set_tolerances(self, self.dtype, bwd32={'atol': 5e-3, 'rtol': 5e-3})
        # every instance present in every image so that L2 norms stay away from 0
        self.labels = numpy.array([[[1, 2, 3], [0, 1, 2]],
                                   [[3, 3, 1], [2, 0, 1]]], numpy.int32)
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 1e-2, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 1e-1}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 1e-1}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, 2, 2, 3)).astype(self.dtype),

    def forward(self, inputs, device):
        return dloss(inputs[0], device.send(self.labels), _DV, _DD, _DIM, self.norm)

    def forward_expected(self, inputs):
        return tuple(numpy.asarray(v, self.dtype)
                     for v in _reference(inputs[0], self.labels, self.norm))


def test_bad_inputs():
    emb = numpy.zeros((1, 2, 2, 2), numpy.float32)
    labels = numpy.zeros((1, 2, 2), numpy.int32)
    with pytest.raises(ValueError, match='norm can only be 1 or 2'):
        dloss(emb, labels, 0.5, 1.5, 2, norm=3)
    with pytest.raises(ValueError):
        dloss(emb, labels, 0.5, 1.5, 0)
    with pytest.raises(TypeError):
        dloss(emb[0], labels, 0.5, 1.5, 2)
    with pytest.raises(TypeError):
        dloss(emb, labels[:, :1], 0.5, 1.5, 2)
    with pytest.raises(TypeError):
        dloss(emb, labels.astype(numpy.complex64), 0.5, 1.5, 2)


@pytest.mark.parametrize('emb_shape, emb_dtype, labels_shape', [
    ((1, 2, 2), numpy.float32, (1, 2, 2)),
    ((1, 2, 2, 2), numpy.int32, (1, 2, 2)),
    ((1, 2, 2, 3), numpy.float32, (1, 2, 2)),
    ((1, 2, 2, 2), numpy.float32, (2, 2, 2)),
])
def test_bad_shapes_and_dtypes_are_invalid_type(emb_shape, emb_dtype, labels_shape):
    # Chainer 7.8.1's inner type checks (broadcast, arithmetic) raised InvalidType
    # for these; ours are also the TypeError they were
    with pytest.raises(type_check.InvalidType) as info:
        dloss(numpy.zeros(emb_shape, emb_dtype), numpy.zeros(labels_shape, numpy.int32),
              0.5, 1.5, 2)
    assert isinstance(info.value, TypeError)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64, numpy.bool_])
def test_float_and_bool_labels_select_pixels_by_equality(dtype):
    # Chainer compared the labels with each instance id (1.5 matches none)
    rs = numpy.random.RandomState(0)
    emb = rs.randn(2, 3, 4, 4).astype(numpy.float32)
    labels = rs.randint(0, 4, (2, 4, 4)).astype(numpy.int32)
    if dtype == numpy.bool_:
        labels = (labels > 1).astype(numpy.int32)
    given = labels.astype(dtype)
    if dtype != numpy.bool_:
        given[0, 0, :2] = 1.5
        labels[0, 0, :2] = 0
    for y, e in zip(dloss(emb, given, 0.5, 1.5, 3), dloss(emb, labels, 0.5, 1.5, 3)):
        assert y.dtype == e.dtype
        numpy.testing.assert_array_equal(y.array, e.array)


def test_single_instance_has_zero_distance_term():
    emb = numpy.random.randn(1, 2, 2, 2)
    labels = numpy.ones((1, 2, 2), numpy.int32)
    l_var, l_dist, l_reg = dloss(emb, labels, 0.5, 1.5, 1)
    assert l_dist.array == 0
    gradient_check.check_backward(
        lambda e: sum(dloss(e, labels, 0.1, 1.5, 1)), emb, None)


def test_terms_are_weighted():
    emb = numpy.random.RandomState(1).randn(2, 2, 2, 3)
    labels = numpy.array([[[1, 2, 3], [0, 1, 2]], [[3, 3, 1], [2, 0, 1]]], numpy.int32)
    plain = dloss(emb, labels, 0.5, 1.5, 3, alpha=1.0, beta=1.0, gamma=1.0)
    weighted = dloss(emb, labels, 0.5, 1.5, 3, alpha=2.0, beta=3.0, gamma=0.5)
    for p, w, k in zip(plain, weighted, (2.0, 3.0, 0.5)):
        numpy.testing.assert_allclose(w.array, k * p.array)
