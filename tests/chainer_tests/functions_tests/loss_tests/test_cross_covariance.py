import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.loss.cross_covariance import cross_covariance
from chainer.functions.loss.decov import decov
from chainer.utils import type_check
from tests.chainer_tests._memory import traced_peak

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['half_squared_sum', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCrossCovariance(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return (numpy.random.uniform(-1, 1, (4, 3)).astype(self.dtype),
                numpy.random.uniform(-1, 1, (4, 2)).astype(self.dtype))

    def forward(self, inputs, device):
        return cross_covariance(*inputs, reduce=self.reduce),

    def forward_expected(self, inputs):
        y, z = [a.astype(numpy.float64) for a in inputs]
        yc = y - y.mean(axis=0)
        zc = z - z.mean(axis=0)
        cov = yc.T.dot(zc) / len(y)
        if self.reduce == 'half_squared_sum':
            cov = 0.5 * (cov ** 2).sum()
        return numpy.asarray(cov, self.dtype),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['half_squared_sum', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDeCov(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (4, 3)).astype(self.dtype),

    def forward(self, inputs, device):
        return decov(inputs[0], reduce=self.reduce),

    def forward_expected(self, inputs):
        h = inputs[0].astype(numpy.float64)
        hc = h - h.mean(axis=0)
        cov = hc.T.dot(hc) / len(h)
        cov -= numpy.diag(numpy.diag(cov))
        if self.reduce == 'half_squared_sum':
            cov = 0.5 * (cov ** 2).sum()
        return numpy.asarray(cov, self.dtype),


def test_bad_inputs():
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(ValueError, match="Only 'half_squared_sum' and 'no'"):
        cross_covariance(a, a, reduce='mean')
    with pytest.raises(ValueError, match="only 'half_squared_sum' and 'no'"):
        decov(a, reduce='mean')  # lower case, as in Chainer
    with pytest.raises(type_check.InvalidType):
        cross_covariance(a, a[:1])
    with pytest.raises(type_check.InvalidType):
        cross_covariance(a, a.astype(numpy.float64))
    with pytest.raises(type_check.InvalidType):
        decov(a[0])


@pytest.mark.parametrize('reduce', ['half_squared_sum', 'no'])
def test_decov_node_keeps_only_its_input(reduce):
    # The zero-diagonal mask (M x M) is built when the gradient is, not kept on
    # the node for as long as the graph lives.
    h = chainer.Variable(numpy.random.uniform(-1, 1, (4, 6)).astype(numpy.float32))
    y = decov(h, reduce=reduce)
    node = y.creator_node
    assert not [v for v in vars(node).values() if isinstance(v, numpy.ndarray)]
    assert node.inputs[0].data is h.array
    if reduce == 'no':
        assert (numpy.diag(y.array) == 0).all()
        y.grad = numpy.ones_like(y.array)
    y.backward()
    hc = h.array - h.array.mean(axis=0)
    off = 1 - numpy.eye(6, dtype=numpy.float32)
    cov = hc.T.dot(hc) / 4 * off
    gcov = cov if reduce == 'half_squared_sum' else off
    numpy.testing.assert_allclose(h.grad, hc.dot(gcov + gcov.T) / 4, rtol=1e-5, atol=1e-6)


def test_half_squared_sum_makes_one_covariance_sized_array():
    # As Chainer (vdot), the summed loss squares the covariance without a second
    # array of its size: the forward pass peaks at about one covariance.
    y = numpy.random.rand(4, 512)
    z = numpy.random.rand(4, 512)
    cov_bytes = 512 * 512 * 8
    with traced_peak() as traced:
        loss = cross_covariance(y, z)
    peak = traced.bytes
    assert cov_bytes <= peak < 1.5 * cov_bytes
    ref = (y - y.mean(0)).T.dot(z - z.mean(0)) / 4
    numpy.testing.assert_allclose(loss.array, 0.5 * (ref ** 2).sum(), rtol=1e-12)


@pytest.mark.parametrize('reduce', ['half_squared_sum', 'no'])
def test_cross_covariance_gradients_bitwise_as_chainer(reduce):
    # Chainer's backward: yc = y - mean(y), cov = (yc^T zc) * (1 / n),
    # gy = (zc cov^T) * (g * (1 / n)), gz = (yc cov) * (g * (1 / n)); unreduced,
    # zc (g * (1 / n))^T and yc (g * (1 / n))
    rng = numpy.random.RandomState(0)
    y, z = rng.uniform(-1, 1, (3, 4)).astype('f'), rng.uniform(-1, 1, (3, 2)).astype('f')
    g = rng.uniform(-1, 1, () if reduce == 'half_squared_sum' else (4, 2)).astype('f')
    yv, zv = chainer.Variable(y), chainer.Variable(z)
    gy, gz = chainer.grad([cross_covariance(yv, zv, reduce)], [yv, zv], [chainer.Variable(g)])
    third = numpy.float32(1.0 / 3)
    yc, zc = y - y.mean(axis=0, keepdims=True), z - z.mean(axis=0, keepdims=True)
    gn = g * third
    if reduce == 'half_squared_sum':
        cov = yc.T.dot(zc) * third
        ey, ez = zc.dot(cov.T) * gn, yc.dot(cov) * gn
    else:
        ey, ez = zc.dot(gn.T), yc.dot(gn)
    assert gy.array.tobytes() == ey.tobytes() and gz.array.tobytes() == ez.tobytes()


@pytest.mark.parametrize('reduce', ['half_squared_sum', 'no'])
def test_decov_bitwise_as_chainer(reduce):
    # Chainer's: hc = h - mean(h), cov = hc^T hc / n off the diagonal, the cost
    # vdot(cov, cov) / 2; gh = 2 hc cov (g / n), unreduced hc (g' + g'^T) with
    # g' = g / n off the diagonal
    rng = numpy.random.RandomState(1)
    h = rng.uniform(-1, 1, (3, 4)).astype('f')
    g = rng.uniform(-1, 1, () if reduce == 'half_squared_sum' else (4, 4)).astype('f')
    hv = chainer.Variable(h)
    y = decov(hv, reduce)
    gh, = chainer.grad([y], [hv], [chainer.Variable(g)])
    hc = h - h.mean(axis=0, keepdims=True)
    cov = hc.T.dot(hc)
    numpy.fill_diagonal(cov, 0.0)
    cov /= 3
    gn = g / numpy.float32(3)
    if reduce == 'half_squared_sum':
        assert y.array.tobytes() == (numpy.vdot(cov, cov) * numpy.float32(0.5)).tobytes()
        eh = 2.0 * hc.dot(cov)
        eh *= gn
    else:
        numpy.fill_diagonal(gn, 0.0)
        eh = hc.dot(gn + gn.T)
    assert gh.array.tobytes() == eh.tobytes()


@pytest.mark.parametrize('reduce', ['half_squared_sum', 'no'])
def test_decov_gradient_is_one_node_differentiable_twice_more(reduce):
    from chainer.functions.loss import decov as decov_module
    rng = numpy.random.RandomState(2)
    h = rng.uniform(-1, 1, (5, 3))
    shape = () if reduce == 'half_squared_sum' else (3, 3)
    hv = chainer.Variable(h)
    gh, = chainer.grad([decov(hv, reduce)], [hv],
                       [chainer.Variable(numpy.asarray(rng.randn(*shape)))],
                       enable_double_backprop=True)
    assert isinstance(gh.creator, decov_module._DeCovGrad)
    assert gh.creator.inputs[0] is hv.node

    def first(h, g):
        return chainer.grad([decov(h, reduce)], [h], [g], enable_double_backprop=True)[0]

    # second and third order
    gradient_check.check_double_backward(
        first, (h, numpy.asarray(rng.randn(*shape))), rng.randn(5, 3),
        (rng.randn(5, 3), numpy.asarray(rng.randn(*shape))), atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize('reduce', ['half_squared_sum', 'no'])
def test_decov_float16_gradient_as_float16_products(reduce):
    # float16 products go through float32 BLAS: NumPy's float16 product (which
    # accumulates in float32 too) gives the same values, far more slowly
    rng = numpy.random.RandomState(3)
    h = rng.uniform(-1, 1, (40, 24)).astype(numpy.float16)
    g = numpy.asarray(rng.uniform(-1, 1, () if reduce == 'half_squared_sum' else (24, 24)),
                      numpy.float16)
    hv = chainer.Variable(h)
    gh, = chainer.grad([decov(hv, reduce)], [hv], [chainer.Variable(g)])
    hc = h - h.mean(axis=0, keepdims=True)
    gn = g / numpy.float16(40)
    if reduce == 'half_squared_sum':
        cov = hc.T.dot(hc)
        numpy.fill_diagonal(cov, 0)
        cov /= numpy.float16(40)
        eh = 2.0 * hc.dot(cov)
        eh *= gn
    else:
        numpy.fill_diagonal(gn, 0)
        eh = hc.dot(gn + gn.T)
    assert gh.dtype == numpy.float16
    numpy.testing.assert_allclose(gh.array.astype(numpy.float32), eh.astype(numpy.float32),
                                  rtol=2e-3, atol=1e-4)
