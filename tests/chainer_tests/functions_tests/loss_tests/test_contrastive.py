import numpy
import pytest

from chainer import testing
from chainer.functions.loss.contrastive import contrastive
from chainer.functions.loss.triplet import triplet
from chainer.utils import type_check

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
    'margin': [1, 2.5],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestContrastive(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        self.y = numpy.array([0, 1, 0, 1, 0], numpy.int32)

    def generate_inputs(self):
        x0 = numpy.random.uniform(-1, 1, (5, 3))
        x1 = numpy.random.uniform(-1, 1, (5, 3))
        d = numpy.sqrt(((x0 - x1) ** 2).sum(axis=1))
        # dodge the kink at d == margin
        x1[numpy.abs(d - self.margin) < 0.1] += 0.5
        return x0.astype(self.dtype), x1.astype(self.dtype)

    def forward(self, inputs, device):
        return contrastive(inputs[0], inputs[1], device.send(self.y), self.margin, self.reduce),

    def forward_expected(self, inputs):
        x0, x1 = [a.astype(numpy.float64) for a in inputs]
        d = numpy.sqrt(((x0 - x1) ** 2).sum(axis=1))
        y = self.y
        loss = 0.5 * (y * d ** 2 + (1 - y) * numpy.maximum(self.margin - d, 0) ** 2)
        if self.reduce == 'mean':
            loss = loss.mean()
        return numpy.asarray(loss, self.dtype),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
    'shape': [(4, 3), (3, 2, 2)],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTriplet(testing.FunctionTestCase):

    margin = 0.5

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        while True:
            a, p, n = [numpy.random.uniform(-1, 1, self.shape) for _ in range(3)]
            dist = ((a - p) ** 2 - (a - n) ** 2).sum(axis=1) + self.margin
            if numpy.abs(dist).min() > 0.1:
                return tuple(x.astype(self.dtype) for x in (a, p, n))

    def forward(self, inputs, device):
        return triplet(*inputs, margin=self.margin, reduce=self.reduce),

    def forward_expected(self, inputs):
        a, p, n = [x.astype(numpy.float64) for x in inputs]
        loss = numpy.maximum(((a - p) ** 2 - (a - n) ** 2).sum(axis=1) + self.margin, 0)
        if self.reduce == 'mean':
            loss = loss.sum() / len(a)
        return numpy.asarray(loss, self.dtype),


def test_contrastive_zero_distance_has_finite_gradient():
    import chainer
    x0 = chainer.Variable(numpy.ones((2, 3), numpy.float32))
    loss = contrastive(x0, numpy.ones((2, 3), numpy.float32), numpy.array([0, 1], numpy.int32))
    loss.backward()
    assert numpy.isfinite(x0.grad).all()


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    y = numpy.zeros(2, numpy.int32)
    with pytest.raises(ValueError, match='margin'):
        contrastive(x, x, y, margin=0)
    with pytest.raises(ValueError, match='margin'):
        triplet(x, x, x, margin=-1)
    with pytest.raises(ValueError):
        contrastive(x, x, y, reduce='sum')
    with pytest.raises(ValueError):
        triplet(x, x, x, reduce='sum')
    with pytest.raises(type_check.InvalidType):
        contrastive(x, x, y.astype(numpy.float32))
    with pytest.raises(type_check.InvalidType):
        contrastive(x, x[:1], y)
    with pytest.raises(type_check.InvalidType):
        contrastive(x, x, numpy.zeros((), numpy.int32))
    with pytest.raises(type_check.InvalidType):
        triplet(x, x, x.astype(numpy.float64))
    with pytest.raises(type_check.InvalidType):
        triplet(x[0], x[0], x[0])
    # Chainer raised NumPy's AxisError (a ValueError) for the missing axis 1.
    with pytest.raises(numpy.exceptions.AxisError):
        triplet(x[0], x[0], x[0])


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_contrastive_gradient_at_zero_distance(dtype, reduce):
    # x0 == x1: the loss is flat along every direction there, for every dtype.
    from chainer import gradient_check
    rng = numpy.random.RandomState(5)
    x = rng.uniform(-1, 1, (4, 3)).astype(dtype)
    y = numpy.array([0, 1, 0, 1], numpy.int32)
    gy = rng.uniform(-1, 1, () if reduce == 'mean' else (4,)).astype(dtype)
    gradient_check.check_backward(
        lambda a, b: contrastive(a, b, y, margin=2, reduce=reduce), (x, x.copy()), gy,
        atol=1e-2, rtol=1e-2, dtype=numpy.float64)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_contrastive_second_derivative_at_the_margin(dtype):
    # At d == margin the Hessian is taken from inside the margin (Chainer's choice):
    # for one coordinate, d^2 loss / dx0^2 = 1 there, and 0 beyond the margin.
    import chainer
    x0 = chainer.Variable(numpy.array([[0.5], [2.0], [0.25]], dtype))
    x1 = numpy.zeros((3, 1), dtype)
    loss = contrastive(x0, x1, numpy.zeros(3, numpy.int32), margin=0.5, reduce='no')
    gx, = chainer.grad([loss], [x0], [numpy.ones(3, dtype)], enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x0], [numpy.ones((3, 1), dtype)])
    numpy.testing.assert_array_equal(gx.array, numpy.array([[0], [0], [-0.25]], dtype))
    numpy.testing.assert_array_equal(ggx.array, numpy.array([[1], [0], [1]], dtype))


@pytest.mark.parametrize('dtype,big', [(numpy.float16, 65504), (numpy.float64, 1e300)])
def test_contrastive_gradient_where_the_squared_distance_overflows(dtype, big):
    # d^2 is inf: a similar pair still gets diff, a dissimilar one beyond the margin 0.
    import chainer
    x0 = chainer.Variable(numpy.array([[0, 0], [0, 0]], dtype))
    x1 = numpy.array([[big, 0], [big, 0]], dtype)
    loss = contrastive(x0, x1, numpy.array([1, 0], numpy.int32), reduce='no')
    loss.grad = numpy.ones(2, dtype)
    loss.backward()
    numpy.testing.assert_array_equal(x0.grad, numpy.array([[-big, 0], [0, 0]], dtype))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_triplet_loss_bit_for_bit_as_the_formula(dtype):
    # The squared distances are formed in place; the bits are those of
    # sum((a - p)**2 - (a - n)**2, axis=1) + margin, clipped at 0 (infinities included).
    rng = numpy.random.RandomState(2)
    a, p, n = (rng.uniform(-2, 2, (6, 4, 2)).astype(dtype) for _ in range(3))
    a[0, 0, 0] = numpy.inf
    with numpy.errstate(invalid='ignore'):
        dist = ((a - p) * (a - p) - (a - n) * (a - n)).sum(axis=1) + dtype(0.5)
        y = triplet(a, p, n, margin=0.5, reduce='no')
    expected = numpy.maximum(dist, 0)
    assert y.array.dtype == dtype
    assert y.array.tobytes() == expected.tobytes()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_contrastive_mean_bits(dtype):
    # Chainer's mean: the losses in float64 (times the int32 labels), summed and
    # divided there, rounded once (a float32 sum differs with these inputs)
    rs = numpy.random.RandomState(7)
    x0 = rs.uniform(-1, 1, (7, 5)).astype(dtype)
    x1 = rs.uniform(-1, 1, (7, 5)).astype(dtype)
    y = rs.randint(0, 2, 7).astype(numpy.int32)
    d = x0 - x1
    dist_sq = (d * d).sum(axis=1)
    mdist = numpy.maximum(1.5 - numpy.sqrt(dist_sq), 0)
    each = (y * dist_sq + (1 - y) * mdist * mdist) * 0.5
    assert each.dtype == numpy.float64
    loss = contrastive(x0, x1, y, 1.5)
    numpy.testing.assert_array_equal(loss.array, numpy.asarray(each.sum() / 7, dtype))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_contrastive_distances_of_long_rows_in_numpy1_order(dtype):
    x0 = long_values((3, 10000), dtype, spread=1.0)
    x1 = long_values((3, 10000), dtype, 1, spread=1.0)
    y = numpy.ones(3, numpy.int32)  # similar pairs: the loss is dist^2 / 2
    d = x0 - x1
    numpy.testing.assert_array_equal(
        contrastive(x0, x1, y, reduce='no').array,
        numpy1_sum(d * d, -1) * dtype(0.5))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_triplet_distances_of_long_rows_in_numpy1_order(dtype):
    a, p, n = (long_values((3, 10000), dtype, seed, spread=0.5) for seed in range(3))
    dp = (a - p) * (a - p) - (a - n) * (a - n)
    numpy.testing.assert_array_equal(triplet(a, p, n, margin=1.0, reduce='no').array,
                                     numpy.maximum(numpy1_sum(dp, -1) + dtype(1.0), 0))
