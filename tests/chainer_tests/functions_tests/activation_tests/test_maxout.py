import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_f16_fwd = {'atol': 5e-3, 'rtol': 5e-2}
_f16_bwd = {'atol': 5e-2, 'rtol': 5e-2}


def _maxout(x, pool_size, axis):
    axis %= x.ndim
    shape = x.shape[:axis] + (x.shape[axis] // pool_size, pool_size) + x.shape[axis + 1:]
    return x.reshape(shape).max(axis=axis + 1)


@testing.parameterize(*(
    testing.product({
        'case': [((2, 6), 3, 1), ((2, 4, 3), 2, 1), ((4, 3, 2), 2, 0), ((2, 3, 4), 2, -1),
                 ((0, 4), 2, 1), ((3, 4), 1, 1)],
        'dtype': [numpy.float32],
    }) + testing.product({
        'case': [((2, 6), 2, 1)],
        'dtype': [numpy.float16, numpy.float64],
    })))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestMaxout(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.pool_size, self.axis = self.case
        if self.dtype == numpy.float16:
            self.check_forward_options = dict(_f16_fwd)
            self.check_backward_options = dict(_f16_bwd)
            self.check_double_backward_options = dict(_f16_bwd)

    def generate_inputs(self):
        # Distinct values well apart: the maximum is unique and stable under
        # the numerical gradient's perturbation.
        size = int(numpy.prod(self.shape))
        x = numpy.random.permutation(size).reshape(self.shape) * 0.25 - size * 0.125
        return x.astype(self.dtype),

    def forward(self, inputs, device):
        return F.maxout(inputs[0], self.pool_size, axis=self.axis),

    def forward_expected(self, inputs):
        return _maxout(inputs[0], self.pool_size, self.axis),


def test_ties_get_gradient_like_max():
    x = chainer.Variable(numpy.array([[1.0, 1.0, 0.0, 2.0]], numpy.float32))
    y = F.maxout(x, 2)
    numpy.testing.assert_array_equal(y.array, [[1.0, 2.0]])
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, [[1.0, 1.0, 0.0, 1.0]])


def test_not_divisible():
    with pytest.raises(type_check.InvalidType):
        F.maxout(numpy.zeros((2, 5), numpy.float32), 2)


@pytest.mark.parametrize('pool_size', [0, -2])
def test_nonpositive_pool_size(pool_size):
    with pytest.raises(ValueError):
        F.maxout(numpy.zeros((2, 4), numpy.float32), pool_size)


def test_pool_size_type():
    with pytest.raises(TypeError):
        F.maxout(numpy.zeros((2, 4), numpy.float32), 2.0)


def test_axis_out_of_range():
    with pytest.raises(IndexError):
        F.maxout(numpy.zeros((2, 4), numpy.float32), 2, axis=2)


def test_int_input():
    with pytest.raises(type_check.InvalidType):
        F.maxout(numpy.zeros((2, 4), numpy.int32), 2)


@pytest.mark.parametrize('shape,pool,axis', [
    ((6, 8), 4, 1), ((6, 8), 2, 1), ((5, 9, 3), 3, 1), ((4, 6, 2, 2), 3, 1),
    ((6, 8), 2, 0), ((3, 64), 32, 1), ((3, 66), 33, 1), ((0, 8), 4, 1),
])
def test_maxout_slices_match_the_reduction(shape, pool, axis):
    # Ties (all maxima get the gradient), signed zeros and NaN as NumPy's max.
    rng = numpy.random.RandomState(7)
    x = rng.randint(-2, 3, shape).astype(numpy.float32)
    if x.size:
        x.flat[:4] = [-0.0, 0.0, numpy.nan, 0.0]
    xv = chainer.Variable(x)
    y = F.maxout(xv, pool, axis)
    pooled = shape[:axis] + (shape[axis] // pool, pool) + shape[axis + 1:]
    xr = x.reshape(pooled)
    want = xr.max(axis=axis + 1)
    numpy.testing.assert_array_equal(y.array, want)
    numpy.testing.assert_array_equal(numpy.signbit(y.array), numpy.signbit(want))
    gy = rng.uniform(1, 2, y.shape).astype(numpy.float32)
    y.grad = gy
    y.backward()
    mask = xr == numpy.expand_dims(want, axis + 1)
    numpy.testing.assert_array_equal(
        xv.grad, (numpy.expand_dims(gy, axis + 1) * mask).reshape(shape))


def test_maxout_graph_is_reshape_then_max():
    # Graph dumps show Chainer's two nodes: the pooled view, then its maximum.
    x = chainer.Variable(numpy.zeros((2, 6, 3), numpy.float32))
    y = F.maxout(x, 3)
    assert type(y.creator) is F.math.minmax.Max and y.creator.axis == (2,)
    pooled = y.creator.inputs[0]
    assert pooled.shape == (2, 2, 3, 3)
    assert pooled.creator.label == 'Reshape'
    assert pooled.creator.inputs[0] is x.node
    assert y.node.data is y.array and pooled.data is not None


def test_pool_size_and_axis_may_be_0d_integer_arrays():
    # Chainer reshaped with them, which NumPy takes
    x = numpy.random.RandomState(0).randn(2, 4, 3).astype(numpy.float32)
    y = F.maxout(x, numpy.array(2), axis=numpy.array(1))
    numpy.testing.assert_array_equal(y.array, x.reshape(2, 2, 2, 3).max(axis=2))
    with pytest.raises(TypeError):
        F.maxout(x, numpy.array(2.0))
